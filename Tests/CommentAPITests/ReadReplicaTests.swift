import CommentAPI
import CommentStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresLibPQ
import PostgresTestSupport
import StandardsPolicy
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `COMMENTD_READ_DATABASE_URL` (issue 22): the real `commentd serve` with a real streaming standby of its primary.
@Suite("Read replicas", .timeLimit(.minutes(5)))
struct ReadReplicaTests {
    /// The ids in an article's published list, and its ETag.
    static func list(_ port: Int) async throws -> (ids: [Int], etag: String?) {
        let response = try await requestOnce(port: port, path: "/v1/articles/a-1/comments")
        #expect(response.status == .ok, "\(response.text)")
        let object = (try? JSONSerialization.jsonObject(with: Data(response.text.utf8))) as? [String: Any]
        let comments = object?["comments"] as? [[String: Any]] ?? []
        return (comments.compactMap { $0["id"] as? Int }, response.headers[.eTag])
    }

    /// Posts `body` and approves it on the primary (as a decision would); returns its id.
    static func publish(_ body: String, port: Int, token: String, on primary: PostgresConnection) async throws -> Int64 {
        let posted = try await postOnce(port: port, body: body, token: token)
        #expect(posted.status == .accepted, "\(posted.text)")
        let object = (try? JSONSerialization.jsonObject(with: Data(posted.text.utf8))) as? [String: Any]
        let id = Int64(try #require(object?["id"] as? Int))
        try await primary.query(
            """
            WITH d AS (
                INSERT INTO moderation_decisions (comment_id, source, outcome, reasons, decided_by)
                VALUES (\(id), 'automatic', 'approve', '{}', 'tests')
            )
            UPDATE comments SET status = 'approved', status_changed_at = now() WHERE id = \(id)
            """
        )
        return id
    }

    @Test func listsComeFromTheStandbyCatchUpAndFallBackToThePrimary() async throws {
        let primary = try await LocalCluster.start()
        var standby: LocalCluster?
        var server: ChildProcess?
        do {
            try await prepareForServe(primary.configuration)
            let replica = try await LocalCluster.startStandby(of: primary)
            standby = replica
            let port = try freePort()
            let child = try spawnCommentd(
                ["serve", "--port", String(port)],
                environment: commentdEnvironment(
                    databaseURL: "host=127.0.0.1 port=\(primary.port) user=postgres dbname=commentdesk",
                    // The standby first, the primary as the fallback; prefer-standby picks the standby while it is up.
                    [
                        "COMMENTD_READ_DATABASE_URL":
                            "host=127.0.0.1,127.0.0.1 port=\(replica.port),\(primary.port) user=postgres dbname=commentdesk "
                            + "target_session_attrs=prefer-standby connect_timeout=2"
                    ]
                ),
                logName: "serve-replica-\(port)"
            )
            server = child
            try await waitUntil("commentd serve listens") { isListening(port) }
            let token = try await TestLogin.token()
            try await PostgresConnection.withConnection(configuration: primary.configuration, logger: TestPostgres.logger) { primaryDB in
                try await PostgresConnection.withConnection(configuration: replica.configuration, logger: TestPostgres.logger) { standbyDB in
                    #expect(try await standbyDB.query("SELECT pg_is_in_recovery()").single().decode(Bool.self, at: 0))

                    // Correct once the standby has caught up.
                    let first = try await Self.publish("first, replicated", port: port, token: token, on: primaryDB)
                    try await waitUntil("the standby replays the first approval", timeout: .seconds(30)) {
                        try await Self.list(port).ids == [Int(first)]
                    }
                    let readers = try await standbyDB.query(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'commentd-serve-reads'"
                    ).single().decode(Int.self, at: 0)
                    #expect(readers >= 1, "the list's connection is the standby's")

                    // Served from the standby: with its replay paused, a comment approved on the primary is not listed
                    // (nor does the tag move) while the author's own status, read on the primary, is already current.
                    let before = try await Self.list(port)
                    _ = try await standbyDB.query("SELECT pg_wal_replay_pause()")
                    let second = try await Self.publish("second, held back", port: port, token: token, on: primaryDB)
                    let own = try await requestOnce(port: port, path: "/v1/comments/\(second)", headers: [.authorization: "Bearer \(token)"])
                    #expect(own.text.contains("\"status\":\"approved\""), "\(own.text)")
                    for _ in 0..<3 {
                        let paused = try await Self.list(port)
                        #expect(paused.ids == [Int(first)] && paused.etag == before.etag)
                    }
                    _ = try await standbyDB.query("SELECT pg_wal_replay_resume()")
                    try await waitUntil("the standby catches up", timeout: .seconds(30)) {
                        try await Self.list(port).ids == [Int(second), Int(first)]
                    }
                    #expect(try await Self.list(port).etag != before.etag)
                }

                // The standby stops: lists come from the primary, from the very next request on.
                try await replica.stopServer()
                for _ in 0..<3 { #expect(try await Self.list(port).ids.count == 2) }
                let third = try await Self.publish("third, on the primary", port: port, token: token, on: primaryDB)
                #expect(try await Self.list(port).ids.first == Int(third))
            }
            child.send(SIGTERM)
            #expect(await child.exitCode() == 0, "log: \(child.output)")
            server = nil
        } catch {
            server?.send(SIGKILL)
            try? await standby?.stop()
            try? await primary.stop()
            throw error
        }
        try await standby?.stop()
        try await primary.stop()
    }
}
