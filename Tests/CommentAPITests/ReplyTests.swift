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

/// Replies (issue 20) over real HTTP against a real PostgreSQL: one level, only to published comments of the same
/// article, listed under their parent and paged, and seen by the policy.
@Suite("Replies", .timeLimit(.minutes(3)))
struct ReplyTests {
    static func reply(
        _ api: APIHarness,
        to parent: Int64,
        body: String,
        by subject: String = "replier",
        key: String? = nil,
        article: String = "a-1"
    ) async throws -> TestResponse {
        let json = String(decoding: try JSONEncoder().encode(NewReply(body: body, parentId: parent)), as: UTF8.self)
        return try await api.post(
            article,
            json: json,
            token: try await TestLogin.token(subject: subject),
            headers: key.map { [.init("Idempotency-Key")!: $0] } ?? [:]
        )
    }

    struct NewReply: Encodable {
        var body: String
        var parentId: Int64
    }

    static func id(_ response: TestResponse) throws -> Int64 { Int64(try #require(response.json["id"] as? Int, "\(response.text)")) }

    static func parent(of id: Int64, _ api: APIHarness) async throws -> Int64? {
        try await api.db.query("SELECT parent_id FROM comments WHERE id = \(id)").single().decode(Int64?.self, at: 0)
    }

    @Test func aReplyToAReplyAttachesToItsParent() async throws {
        try await withAPI { api in
            let top = try await FlagTests.published(api)
            let first = try Self.id(try await Self.reply(api, to: top, body: "first reply"))
            #expect(try await Self.parent(of: first, api) == top)
            try await ReadTests.decide(api, [first], status: "approved", outcome: "approve", reasons: [])
            let second = try Self.id(try await Self.reply(api, to: first, body: "reply to the reply", by: "other"))
            #expect(try await Self.parent(of: second, api) == top, "one level: attached to the top-level comment")
            #expect(try await api.db.count("SELECT count(*) FROM comment_queue WHERE comment_id IN (\(first), \(second))") == 2)
        }
    }

    @Test func aReplyToWhatIsNotPublishedHereIsRefusedAndWritesNothing() async throws {
        try await withAPI { api in
            let top = try await FlagTests.published(api)
            let held = Int64(try #require(try await api.post(body: "held", token: try await TestLogin.token(subject: "x")).json["id"] as? Int))
            try await ReadTests.decide(api, [held], status: "held", outcome: "hold", reasons: ["link"])
            let rejected = Int64(
                try #require(try await api.post(body: "rejected", token: try await TestLogin.token(subject: "x")).json["id"] as? Int)
            )
            try await ReadTests.decide(api, [rejected], status: "rejected", outcome: "reject", reasons: ["insult"])
            try await api.db.query("SELECT register_article('a-2', NULL, 'Another', now())")
            let before = try await api.writes()
            for (parent, article) in [(held, "a-1"), (rejected, "a-1"), (999_999, "a-1"), (top, "a-2")] {
                let response = try await Self.reply(api, to: parent, body: "a reply", article: article)
                #expect(response.status == .unprocessableContent, "\(parent) on \(article): \(response.text)")
                #expect(response.json["reason"] as? String == "reply_parent_unavailable")
            }
            #expect(try await api.writes() == before)
            let zero = try await api.post(json: #"{"body": "x", "parentId": 0}"#, token: try await TestLogin.token())
            #expect(zero.status == .badRequest)
            let text = try await api.post(json: #"{"body": "x", "parentId": "12"}"#, token: try await TestLogin.token())
            #expect(text.status == .badRequest)
            #expect(text.text.contains("`parentId` must be an integer"), "\(text.text)")
        }
    }

    @Test func aRetriedReplyFindsTheFirstAndAKeyCannotMoveToAnotherParent() async throws {
        try await withAPI { api in
            let one = try await FlagTests.published(api, body: "one")
            let two = try await FlagTests.published(api, body: "two")
            let first = try await Self.reply(api, to: one, body: "same text", key: "k-1")
            let again = try await Self.reply(api, to: one, body: "same text", key: "k-1")
            #expect(again.status == .accepted)
            #expect(again.headers[.init("Idempotent-Replayed")!] == "true")
            #expect(try Self.id(again) == (try Self.id(first)))
            let moved = try await Self.reply(api, to: two, body: "same text", key: "k-1")
            #expect(moved.status == .unprocessableContent)
            #expect(moved.json["reason"] as? String == "idempotency_key_reused")
            #expect(try await api.db.count("SELECT count(*) FROM comments WHERE body = 'same text'") == 1)
        }
    }

    @Test func repliesAreListedUnderTheirParentAndPagedOldestFirst() async throws {
        try await withAPI { api in
            let top = try await FlagTests.published(api, body: "top")
            let quiet = try await FlagTests.published(api, body: "no replies")
            var replies: [Int64] = []
            for index in 0..<5 {
                replies.append(try Self.id(try await Self.reply(api, to: top, body: "reply \(index)", by: "r\(index)")))
            }
            try await ReadTests.decide(api, Array(replies[0..<4]), status: "approved", outcome: "approve", reasons: [])
            // replies[4] stays queued: not listed, not counted.
            let listing = try await api.get("/v1/articles/a-1/comments")
            let comments = try #require(listing.json["comments"] as? [[String: Any]])
            #expect(comments.compactMap { $0["id"] as? Int } == [Int(quiet), Int(top)], "top-level comments only, newest first")
            let topLine = try #require(comments.last)
            #expect(topLine["replyCount"] as? Int == 4)
            let shown = (topLine["replies"] as? [[String: Any]] ?? [])
            #expect(shown.compactMap { $0["id"] as? Int } == replies[0..<3].map { Int($0) }, "the first three, oldest first")
            #expect(shown.first?["parentId"] as? Int == Int(top))
            #expect(shown.first?["replies"] == nil)
            #expect(comments.first?["replyCount"] as? Int == 0)
            #expect((comments.first?["replies"] as? [Any])?.isEmpty == true)

            var seen: [Int] = []
            var page = try await api.get("/v1/comments/\(top)/replies?limit=3")
            #expect(page.status == .ok)
            while true {
                seen += (page.json["replies"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
                guard let next = page.json["next"] as? String else { break }
                page = try await api.get("/v1/comments/\(top)/replies?limit=3&after=\(next)")
            }
            #expect(seen == replies[0..<4].map { Int($0) })
            #expect(try await api.get("/v1/comments/\(replies[0])/replies").status == .notFound, "replies have no replies")
            #expect(try await api.get("/v1/comments/\(replies[4])/replies").status == .notFound)
            #expect(try await api.get("/v1/comments/\(top)/replies?after=nope").status == .badRequest)
        }
    }

    /// The worker's inputs carry the parent, and the default policy holds a reader's fourth reply to one comment within
    /// the hour (`reply-pile-on`), while replies spread over several comments pass.
    @Test func thePolicySeesTheParent() async throws {
        try await withAPI { api in
            let top = try await FlagTests.published(api, body: "top")
            let other = try await FlagTests.published(api, body: "other")
            var ids: [Int64] = []
            for index in 0..<4 { ids.append(try Self.id(try await Self.reply(api, to: top, body: "reply number \(index) here", by: "piler"))) }
            let elsewhere = try Self.id(try await Self.reply(api, to: other, body: "a reply elsewhere", by: "piler"))
            let policy = try CompiledPolicy(bundle: .standardsBoard)
            let items = try await api.db.withConnection {
                try await ModerationInputs().load(ids + [elsewhere], needs: policy.historyNeeds, on: $0)
            }
            #expect(items.map(\.context.parentID) == [top, top, top, top, other])
            let verdicts = items.map { policy.evaluate($0.body, context: $0.context) }
            #expect(verdicts[0..<3].allSatisfy { !$0.hits.contains { $0.rule == "reply-pile-on" } })
            #expect(verdicts[3].hits.contains { $0.rule == "reply-pile-on" }, "\(verdicts[3].hits)")
            #expect(!verdicts[4].hits.contains { $0.rule == "reply-pile-on" })
        }
    }
}
