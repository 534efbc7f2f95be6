import CommentAPI
import CommentStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import PostgresLibPQ
import PostgresTestSupport
import StandardsPolicy
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite("Reading comments, the policy and health", .timeLimit(.minutes(5)))
struct ReadTests {
    /// Posts `count` comments from `subject` and returns their ids, oldest first.
    static func seed(_ api: APIHarness, count: Int, subject: String = "reader-1") async throws -> [Int64] {
        let token = try await TestLogin.token(subject: subject)
        var ids: [Int64] = []
        for index in 0..<count {
            let response = try await api.post(body: "comment \(index)", token: token)
            ids.append(Int64(try #require(response.json["id"] as? Int)))
        }
        return ids
    }

    static func decide(_ api: APIHarness, _ ids: [Int64], status: String, outcome: String, reasons: [String]) async throws {
        try await api.db.query(
            """
            WITH d AS (
                INSERT INTO moderation_decisions (comment_id, source, outcome, reasons, decided_by)
                SELECT unnest(\(ids)::bigint[]), 'automatic', \(outcome), \(reasons)::text[], 'tests'
            )
            UPDATE comments SET status = \(status), status_changed_at = now(), reasons = \(reasons)::text[] WHERE id = ANY(\(ids)::bigint[])
            """
        )
    }

    @Test func listingShowsApprovedCommentsNewestFirstInPages() async throws {
        try await withAPI { api in
            let ids = try await Self.seed(api, count: 7)
            try await Self.decide(api, Array(ids[0..<5]), status: "approved", outcome: "approve", reasons: [])
            try await Self.decide(api, [ids[5]], status: "held", outcome: "hold", reasons: ["link"])
            // ids[6] stays queued.
            let first = try await api.get("/v1/articles/a-1/comments?limit=2")
            #expect(first.status == .ok)
            #expect(first.headers[.cacheControl] == "public, max-age=5, stale-while-revalidate=30")
            let comments = try #require(first.json["comments"] as? [[String: Any]])
            #expect(comments.compactMap { $0["id"] as? Int } == [Int(ids[4]), Int(ids[3])])
            #expect(comments.first?["displayName"] as? String == "Reader One")
            #expect(comments.first?["body"] as? String == "comment 4")
            #expect(!first.text.contains("reader-1"), "no provider subjects in public listings")
            #expect(!first.text.contains("twitter"))
            var seen = comments.compactMap { $0["id"] as? Int }
            var cursor = first.json["next"] as? String
            while let next = cursor {
                let page = try await api.get("/v1/articles/a-1/comments?limit=2&before=\(next)")
                seen += (page.json["comments"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
                cursor = page.json["next"] as? String
            }
            #expect(seen == ids[0..<5].reversed().map { Int($0) }, "every approved comment once, newest first")
        }
    }

    @Test func listingValidatesItsParameters() async throws {
        try await withAPI { api in
            _ = try await Self.seed(api, count: 1)
            #expect(try await api.get("/v1/articles/no-such/comments").status == .notFound)
            let empty = try await api.get("/v1/articles/closed-1/comments")
            #expect(empty.status == .ok)
            #expect((empty.json["comments"] as? [Any])?.isEmpty == true)
            #expect(empty.json["next"] == nil)
            for query in ["limit=0", "limit=-3", "limit=abc", "before=not-a-cursor", "before=12.", "before=1234567890123456789.1", "before=-5.3"] {
                let response = try await api.get("/v1/articles/a-1/comments?\(query)")
                #expect(response.status == .badRequest, "\(query)")
            }
            #expect(try await api.get("/v1/articles/a-1/comments?limit=100000").status == .ok, "a large limit is capped, not refused")
            #expect(try await api.get("/v1/articles/a-1/comments?limit=31773787766456467456").status == .ok, "even past 64 bits")
            #expect(try await api.get("/v1/articles/a-1/comments?limit=000").status == .badRequest)
        }
    }

    @Test func ownCommentStatusIsForItsAuthorOnly() async throws {
        try await withAPI { api in
            let ids = try await Self.seed(api, count: 2)
            try await Self.decide(api, [ids[0]], status: "rejected", outcome: "reject", reasons: ["profanity", "link"])
            let author = try await TestLogin.token()
            let rejected = try await api.get("/v1/comments/\(ids[0])", token: author)
            #expect(rejected.status == .ok)
            #expect(rejected.json["status"] as? String == "rejected")
            #expect(rejected.json["reasons"] as? [String] == ["profanity", "link"])
            #expect(rejected.json["article"] as? String == "a-1")
            #expect(rejected.headers[.cacheControl] == "private, no-store")
            let queued = try await api.get("/v1/comments/\(ids[1])", token: author)
            #expect(queued.json["status"] as? String == "queued")
            #expect(queued.json["reasons"] as? [String] == [])

            let stranger = try await api.get("/v1/comments/\(ids[0])", token: try await TestLogin.token(subject: "reader-2"))
            #expect(stranger.status == .notFound)
            let sameSubjectOtherProvider = try await api.get(
                "/v1/comments/\(ids[0])",
                token: try await TestLogin.token(subject: "reader-1", provider: "facebook")
            )
            #expect(sameSubjectOtherProvider.status == .notFound)
            #expect(try await api.get("/v1/comments/\(ids[0])").status == .unauthorized)
            #expect(try await api.get("/v1/comments/999999", token: author).status == .notFound)
            #expect(try await api.get("/v1/comments/abc", token: author).status == .notFound)
        }
    }

    @Test func publicPolicyStatesTheLimits() async throws {
        try await withAPI { api in
            let response = try await api.get("/v1/policy")
            #expect(response.status == .ok)
            #expect(response.json["maxCharacters"] as? Int == 250)
            #expect(response.json["providers"] as? [String] == ["twitter", "facebook"])
            #expect(response.json["loginRequired"] as? Bool == true)
            #expect((response.json["counting"] as? String ?? "").contains("grapheme"))
        }
    }

    @Test func healthReadinessAndMetrics() async throws {
        let metricsPort = try freePort()
        try await withAPI(configuration: APIConfiguration(requestReadTimeout: .seconds(120), metricsPort: metricsPort)) { api in
            #expect(try await api.get("/healthz").status == .ok)
            #expect(try await api.get("/readyz").status == .ok)
            _ = try await api.post(body: "counted", token: try await TestLogin.token())
            _ = try await api.post(body: "", token: try await TestLogin.token())
            let unknown = try await api.get("/no/such/route")
            #expect(unknown.status == .notFound)
            #expect(unknown.headers[.contentType] == "application/problem+json")
            // Never on the readers' port: on a listener of its own, on loopback.
            #expect(try await api.get("/metrics").status == .notFound)
            let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(metricsPort)/metrics")!)
            let metrics = String(decoding: data, as: UTF8.self)
            #expect(metrics.contains(#"commentdesk_api_requests_total{method="POST",route="/v1/articles/{articleRef}/comments",status="202"} 1"#))
            #expect(metrics.contains(#"commentdesk_api_requests_total{method="GET",route="unmatched",status="404"} 2"#))
            #expect(metrics.contains(#"commentdesk_api_posts_total{result="accepted"} 1"#))
            #expect(metrics.contains(#"commentdesk_api_posts_total{result="refused",reason="empty"} 1"#))
            #expect(metrics.contains("commentdesk_api_request_seconds_bucket"))
            let wrongMethod = try await api.client.execute(uri: "/v1/policy", method: .delete)
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(wrongMethod.headers[.allow] == "GET, HEAD")
            let postOnly = try await api.client.execute(uri: "/v1/articles/a-1/comments", method: .put)
            #expect(postOnly.headers[.allow] == "POST, GET, HEAD")
        }
    }

    /// A database missing the latest migration is reachable but not ready.
    @Test func readinessFailsWhenTheSchemaIsBehind() async throws {
        try await TestPostgres.withDatabase(label: "api-behind") { configuration in
            try await PostgresClient(configuration: configuration, logger: TestPostgres.logger).closing { db in
                try await Migrator(logger: TestPostgres.logger).migrate(db)
                _ = try await db.withConnection { try await PolicyVersions().seed(.standardsBoard, by: "tests", on: $0) }
                // As if the latest migration had not run yet.
                try await db.query("DELETE FROM schema_migrations WHERE version = \(Migration.all.last!.version)")
                let app = try await CommentAPI.application(
                    configuration: APIConfiguration(port: 0, requestReadTimeout: .seconds(120)),
                    login: TestLogin.configuration,
                    client: db,
                    logger: TestPostgres.logger
                )
                try await app.test(.live) { client in
                    let response = try await client.execute(uri: "/readyz", method: .get)
                    #expect(response.status == .serviceUnavailable)
                    #expect(String(buffer: response.body).contains("commentd migrate"))
                    #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
                }
            }
        }
    }
}
