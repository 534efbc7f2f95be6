import CommentAPI
import CommentStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresLibPQ
import PostgresTestSupport
import StandardsPolicy
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `commentd serve` process, on a cluster of its own that the test stops and restarts.
@Suite("commentd serve process", .timeLimit(.minutes(5)))
struct ServeProcessTests {
    @Test func survivesADatabaseRestartAndStopsCleanlyOnSIGTERM() async throws {
        let cluster = try await LocalCluster.start()
        do {
            try await prepareForServe(cluster.configuration)
            let port = try freePort()
            let server = try spawnCommentd(
                ["serve", "--port", String(port)],
                environment: commentdEnvironment(databaseURL: "host=127.0.0.1 port=\(cluster.port) user=postgres dbname=commentdesk"),
                logName: "serve-\(port)"
            )
            try await waitUntil("commentd serve listens") { isListening(port) }
            let token = try await TestLogin.token()
            #expect(try await postOnce(port: port, body: "before the restart", token: token).status == .accepted)

            try await cluster.stopServer()
            let down = try await postOnce(port: port, body: "while the database is down", token: token)
            #expect(down.status == .serviceUnavailable, "\(down.text)")
            #expect(down.headers[.retryAfter] != nil)
            let text = down.text
            #expect(!text.lowercased().contains("select") && !text.contains("SQLSTATE") && !text.contains("5432"), "no internals: \(text)")

            try await cluster.startServer()
            try await waitUntil("posts succeed after the restart", timeout: .seconds(30)) {
                try await postOnce(port: port, body: "after the restart", token: token).status == .accepted
            }
            server.send(SIGTERM)
            let code = await server.exitCode()
            #expect(code == 0, "exit code on SIGTERM; log: \(server.output)")
            #expect(!isListening(port))
            let stored = try await PostgresConnection.withConnection(configuration: cluster.configuration, logger: TestPostgres.logger) {
                try await $0.query("SELECT count(*) FROM comments WHERE body IN ('before the restart', 'after the restart')").single()
                    .decode(Int.self, at: 0)
            }
            #expect(stored >= 2)
        } catch {
            try? await cluster.stop()
            throw error
        }
        try await cluster.stop()
    }

    @Test func refusesToStartWithoutALoginKey() async throws {
        let server = try spawnCommentd(
            ["serve", "--port", String(try freePort())],
            environment: ["COMMENTD_JWT_SECRET": "", "COMMENTD_JWT_PUBLIC_KEY_FILE": ""],
            logName: "serve-nokey"
        )
        let code = await server.exitCode()
        #expect(code != 0)
        #expect(server.output.contains("COMMENTD_JWT_SECRET"))
    }
}
