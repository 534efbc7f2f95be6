import CommentAPI
import CommentStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresLibPQ
import PostgresTestSupport
import Testing

/// Posts refused before anything was stored are counted for the Board's report: per reason, never the text or reader.
@Suite("Refused posts are counted", .timeLimit(.minutes(2)))
struct RefusedPostsTests {
    @Test func theAPICountsEachRefusedPostByReasonAndNothingElse() async throws {
        var configuration = APIConfiguration(port: 0, requestReadTimeout: .seconds(120))
        configuration.refusalFlushInterval = .milliseconds(100)
        try await withAPI(configuration: configuration) { api in
            let token = try await TestLogin.token()
            #expect(try await api.post(body: String(repeating: "가", count: 251), token: token).status == .unprocessableContent)
            #expect(try await api.post(body: String(repeating: "가", count: 300), token: token).status == .unprocessableContent)
            #expect(try await api.post(body: "", token: token).status == .unprocessableContent)
            #expect(try await api.post(body: "no login", token: nil).status == .unauthorized)
            #expect(try await api.post("closed-1", body: "too late", token: token).status == .conflict)
            #expect(try await api.post(body: "a fine comment", token: token).status == .accepted)
            // Not posts: a flag without a login, and reading one's own comment without one.
            _ = try await api.post(json: #"{"reason": "spam"}"#, token: nil, path: "/v1/comments/1/flags")
            _ = try await api.get("/v1/comments/1")
            let expected = ["article_closed": 1, "empty": 1, "login_required": 1, "too_long": 2]
            try await waitUntil("the counts are stored") {
                let stored = try await api.db.query("SELECT reason, sum(posts)::bigint FROM refused_posts GROUP BY reason")
                    .map { try $0.decode((String, Int).self) }
                return Dictionary(uniqueKeysWithValues: stored) == expected
            }
            #expect(try await api.db.count("SELECT count(*) FROM comments") == 1, "only the accepted post was stored")
            #expect(try await api.db.count("SELECT count(*) FROM refused_posts WHERE minute <> date_trunc('minute', minute)") == 0)
        }
    }
}
