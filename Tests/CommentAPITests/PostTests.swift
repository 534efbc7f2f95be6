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

@Suite("Posting a comment", .timeLimit(.minutes(5)))
struct PostTests {
    @Test func acceptedPostIsCommittedWithItsQueueRow() async throws {
        try await withAPI { api in
            let response = try await api.post(body: "좋은 기사 감사합니다.\r\nThanks!", token: try await TestLogin.token())
            #expect(response.status == .accepted)
            let id = try #require(response.json["id"] as? Int)
            #expect(response.json["status"] as? String == "queued")
            #expect(response.headers[.location] == "/v1/comments/\(id)")
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.text == "{\"id\":\(id),\"status\":\"queued\"}", "one encoder: members in a stable (sorted) order")
            let stored = try await api.db.query(
                "SELECT c.body, q.state FROM comments c JOIN comment_queue q ON q.comment_id = c.id WHERE c.id = \(id)"
            )
            .single().decode((String, String).self)
            #expect(stored.0 == "좋은 기사 감사합니다.\r\nThanks!")
            #expect(stored.1 == "ready")
        }
    }

    @Test func idempotencyKeyRetryReturnsTheSameCommentAndCreatesNothing() async throws {
        try await withAPI { api in
            let token = try await TestLogin.token()
            let first = try await api.post(body: "once only", token: token, headers: [.init("Idempotency-Key")!: "retry-7f3a"])
            let second = try await api.post(body: "once only", token: token, headers: [.init("Idempotency-Key")!: "retry-7f3a"])
            #expect(first.status == .accepted)
            #expect(second.status == .accepted)
            #expect(first.json["id"] as? Int == second.json["id"] as? Int)
            #expect(first.headers[.init("Idempotent-Replayed")!] == nil)
            #expect(second.headers[.init("Idempotent-Replayed")!] == "true")
            // The key is per account: another reader's same key is another comment.
            let other = try await api.post(
                body: "once only",
                token: try await TestLogin.token(subject: "reader-2"),
                headers: [.init("Idempotency-Key")!: "retry-7f3a"]
            )
            #expect(other.json["id"] as? Int != first.json["id"] as? Int)
            #expect(try await api.writes() == [2, 2, 2])
            let bad = try await api.post(body: "x", token: token, headers: [.init("Idempotency-Key")!: String(repeating: "k", count: 256)])
            #expect(bad.status == .badRequest)
        }
    }

    @Test func malformedRequestsGet400AndWriteNothing() async throws {
        try await withAPI { api in
            let token = try await TestLogin.token()
            for (json, expected) in [
                ("{\"body\": ", "not valid JSON"), ("not json", "not valid JSON"), ("{}", "`body`"), ("{\"text\": \"hi\"}", "`body`"),
                ("{\"body\": 42}", "must be a string"), ("{\"body\": null}", "must be a string"), ("[\"hi\"]", "JSON object"),
                ("\"hi\"", "JSON object"), ("", "not valid JSON"),
            ] {
                let response = try await api.post(json: json, token: token)
                #expect(response.status == .badRequest, "\(json)")
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect((response.json["detail"] as? String ?? "").contains(expected), "\(json): \(response.text)")
            }
            #expect(try await api.writes() == [0, 0, 0])
        }
    }

    /// Counted as the policy engine counts: grapheme clusters of the NFC text after CRLF→LF and trimming.
    @Test func limitsAnswer422WithTheCount() async throws {
        try await withAPI { api in
            let token = try await TestLogin.token()
            let exactly250 = String(repeating: "가", count: 248) + "\r\n" + "나"  // CRLF is one character: 250
            let accepted = try await api.post(body: "  " + exactly250 + " \n", token: token)
            #expect(accepted.status == .accepted, "\(accepted.text)")
            let decomposed = String(repeating: "\u{1100}\u{1161}", count: 250)  // NFC composes each pair into 가
            #expect(try await api.post(body: decomposed, token: token).status == .accepted)

            let tooLong = try await api.post(body: String(repeating: "가", count: 251), token: token)
            #expect(tooLong.status == .unprocessableContent)
            #expect(tooLong.json["reason"] as? String == "too_long")
            #expect(tooLong.json["characters"] as? Int == 251)
            #expect(tooLong.json["maxCharacters"] as? Int == 250)
            #expect((tooLong.json["detail"] as? String ?? "").contains("251"))

            for (text, reason) in [
                ("", "empty"), ("   \n\t ", "empty"), ("\u{200B}\u{3164}\u{00AD}", "empty"), ("hello\u{0000}world", "malformed"),
                ("bell\u{0007}", "malformed"), ("Z" + String(repeating: "\u{0301}", count: 30), "combining_overload"),
            ] {
                let response = try await api.post(body: text, token: token)
                #expect(response.status == .unprocessableContent, "\(text.unicodeScalars.map { $0.value })")
                #expect(response.json["reason"] as? String == reason, "\(response.text)")
            }
            #expect(try await api.writes() == [2, 2, 1])
        }
    }

    @Test func unknownArticle404ClosedArticle409() async throws {
        try await withAPI { api in
            let token = try await TestLogin.token()
            #expect(try await api.post("no-such-article", body: "hi", token: token).status == .notFound)
            #expect(try await api.post("bad%20ref%27--", body: "hi", token: token).status == .notFound)
            let closed = try await api.post("closed-1", body: "hi", token: token)
            #expect(closed.status == .conflict)
            #expect(closed.json["reason"] as? String == "article_closed")
            #expect(try await api.writes() == [0, 0, 0])
        }
    }

    @Test func oversizedBodyGets413() async throws {
        try await withAPI { api in
            let response = try await api.post(body: String(repeating: "a", count: 40_000), token: try await TestLogin.token())
            #expect(response.status == .contentTooLarge)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(try await api.writes() == [0, 0, 0])
        }
    }

    @Test func burstsFromOneAccountGet429WithRetryAfter() async throws {
        try await withAPI(postsPerMinute: 2) { api in
            let token = try await TestLogin.token()
            #expect(try await api.post(body: "one", token: token).status == .accepted)
            #expect(try await api.post(body: "two", token: token).status == .accepted)
            let third = try await api.post(body: "three", token: token)
            #expect(third.status == .tooManyRequests)
            let retryAfter = try #require(third.headers[.retryAfter].flatMap(Int.init))
            #expect((1...60).contains(retryAfter))
            #expect(third.json["reason"] as? String == "rate_limited")
            // Another reader is not affected; nothing was written for the refused post.
            #expect(try await api.post(body: "mine", token: try await TestLogin.token(subject: "reader-2")).status == .accepted)
            #expect(try await api.db.count("SELECT count(*) FROM comments") == 3)
        }
    }

    /// Concurrent bursts cannot overshoot the limit: posts from one account are counted under a lock.
    @Test func concurrentBurstIsLimitedExactly() async throws {
        try await withAPI(postsPerMinute: 3) { api in
            let token = try await TestLogin.token()
            _ = try await api.post(body: "first creates the account", token: token)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<8 { group.addTask { try await api.postOnNewConnection(body: "burst \(index)", token: token).code } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 202 }.count == 2, "\(statuses)")
            // Over the limit, or (on a loaded machine) past the database's time limit: refused either way.
            #expect(statuses.filter { $0 == 429 || $0 == 503 }.count == 6, "\(statuses)")
            #expect(statuses.contains(429), "\(statuses)")
            #expect(try await api.db.count("SELECT count(*) FROM comments") == 3)
        }
    }

    /// A new login's first burst is counted like any other: the posts take turns on the account row that the first
    /// of them creates, so 20 parallel posts from a login never seen before get exactly the limit accepted.
    @Test func aNewLoginsFirstBurstIsLimitedExactly() async throws {
        try await withAPI(postsPerMinute: 5) { api in
            let token = try await TestLogin.token(subject: "brand-new")
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<20 { group.addTask { try await api.postOnNewConnection(body: "burst \(index)", token: token).code } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 202 }.count == 5, "\(statuses)")
            // The others are over the limit; on a loaded machine a post that waits on the account row past the
            // database's time limit is told 503 (retry later) instead. Either way nothing more is stored.
            #expect(statuses.filter { $0 == 429 || $0 == 503 }.count == 15, "\(statuses)")
            #expect(statuses.contains(429), "\(statuses)")
            #expect(try await api.db.count("SELECT count(*) FROM comments") == 5)
            #expect(try await api.db.count("SELECT count(*) FROM accounts") == 1)
        }
    }

    /// A database that does not answer in time (here: a table locked by someone else) gets 503 with Retry-After once
    /// the statement timeout passes, and the pool's connection is usable again afterwards.
    @Test func slowDatabaseAnswers503() async throws {
        let template = try await migratedTemplate()
        try await TestPostgres.withDatabase(label: "api-slow", template: template) { configuration in
            try await PostgresConnection.withConnection(configuration: configuration, logger: TestPostgres.logger) { setup in
                try await setup.query("SELECT register_article('a-1', NULL, NULL, NULL)")
            }
            // Only the API's own connections carry the limit, long enough that nothing but the lock below trips it on a
            // loaded machine.
            var settings = configuration
            settings.sessionSettings = [("statement_timeout", "2000")]
            try await PostgresClient(configuration: settings, options: .init(maxConnections: 2), logger: TestPostgres.logger).closing { db in
                let app = try await CommentAPI.application(
                    configuration: APIConfiguration(port: 0, requestReadTimeout: .seconds(120)),
                    login: TestLogin.configuration,
                    client: db,
                    logger: TestPostgres.logger
                )
                try await app.test(.live) { client in
                    let api = APIHarness(client: client, db: db)
                    let token = try await TestLogin.token()
                    try await PostgresConnection.withConnection(configuration: configuration, logger: TestPostgres.logger) { locker in
                        try await locker.query("BEGIN")
                        try await locker.query("LOCK TABLE comments IN ACCESS EXCLUSIVE MODE")
                        let slow = try await api.post(body: "waits for the lock", token: token)
                        #expect(slow.status == .serviceUnavailable)
                        #expect(slow.headers[.retryAfter] == "5")
                        #expect(
                            !slow.text.contains("statement") && !slow.text.contains("SQLSTATE") && !slow.text.contains("57014"),
                            "no internals: \(slow.text)"
                        )
                        try await locker.query("ROLLBACK")
                    }
                    #expect(try await api.post(body: "after the lock", token: token).status == .accepted)
                }
            }
        }
    }
}
