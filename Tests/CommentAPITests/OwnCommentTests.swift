import CommentAPI
import CommentStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresLibPQ
import PostgresTestSupport
import Testing

/// A reader's own comments (issue 20) over real HTTP against a real PostgreSQL: edits within the policy's window
/// become new revisions moderated afresh, the earlier text stays in the audit; deletes remove from view.
@Suite("A reader's own comments", .timeLimit(.minutes(3)))
struct OwnCommentTests {
    static func send(
        _ api: APIHarness,
        _ method: HTTPRequest.Method,
        _ id: Int64,
        json: String? = nil,
        by subject: String = "author-1"
    )
        async throws -> TestResponse
    {
        var headers: HTTPFields = [.authorization: "Bearer \(try await TestLogin.token(subject: subject))"]
        if json != nil { headers[.contentType] = "application/json" }
        return try await api.client.execute(uri: "/v1/comments/\(id)", method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    static func row(_ api: APIHarness, _ id: Int64) async throws -> (status: String, reasons: [String], body: String, replacedBy: Int64?) {
        let v = try await api.db.query("SELECT status, reasons, body, replaced_by FROM comments WHERE id = \(id)").single()
            .decode((String, [String], String, Int64?).self)
        return (v.0, v.1, v.2, v.3)
    }

    @Test func anEditIsANewRevisionModeratedAfreshAndTheOldTextStaysInTheAudit() async throws {
        try await withAPI { api in
            let original = try await FlagTests.published(api, body: "the first text")
            let reply = try ReplyTests.id(try await ReplyTests.reply(api, to: original, body: "a reply"))
            _ = try await FlagTests.flag(api, original, by: "flagger")
            let edited = try await Self.send(api, .patch, original, json: #"{"body": "the second text"}"#)
            #expect(edited.status == .accepted, "\(edited.text)")
            let revision = Int64(try #require(edited.json["id"] as? Int))
            #expect(edited.json["replaces"] as? Int == Int(original))
            #expect(edited.json["status"] as? String == "queued")
            #expect(edited.headers[.location] == "/v1/comments/\(revision)")
            let old = try await Self.row(api, original)
            #expect(old.status == "removed" && old.reasons == ["edited"] && old.body == "the first text" && old.replacedBy == revision)
            #expect(try await Self.row(api, revision).status == "queued")
            #expect(try await api.db.count("SELECT count(*) FROM comment_queue WHERE comment_id = \(revision) AND state = 'ready'") == 1)
            #expect(try await ReplyTests.parent(of: reply, api) == revision, "replies follow the new revision")
            #expect(try await api.db.count("SELECT count(*) FROM comment_flags WHERE comment_id = \(revision)") == 1, "so do open flags")
            let audit = try await api.db.query(
                "SELECT source, outcome, decided_by, note FROM moderation_decisions WHERE comment_id = \(original) ORDER BY id DESC LIMIT 1"
            ).single().decode((String, String, String, String?).self)
            #expect(audit.0 == "author" && audit.1 == "reject" && audit.2 == "author" && audit.3 == "replaced by comment \(revision)")
            // The published list no longer shows the earlier text; the author's own view says what happened.
            let listed = try await api.get("/v1/articles/a-1/comments")
            #expect(!listed.text.contains("the first text"))
            let mine = try await api.get("/v1/comments/\(original)", token: try await TestLogin.token(subject: "author-1"))
            #expect(mine.json["status"] as? String == "removed")

            // The old id is spent: an edit through it says where the text went; the new revision can be edited again.
            let stale = try await Self.send(api, .patch, original, json: #"{"body": "again"}"#)
            #expect(stale.status == .conflict)
            #expect(stale.json["replacedBy"] as? Int == Int(revision))
            let third = try await Self.send(api, .patch, revision, json: #"{"body": "the third text"}"#)
            #expect(third.status == .accepted)
            let thirdID = Int64(try #require(third.json["id"] as? Int))
            #expect(try await api.db.count("SELECT count(*) FROM comments WHERE id = \(thirdID) AND revision_of = \(original)") == 1)
        }
    }

    @Test func editsAreRefusedOutsideTheWindowForOthersAndLikeAnyPost() async throws {
        try await withAPI { api in
            let id = try await FlagTests.published(api, body: "a comment")
            #expect(try await Self.send(api, .patch, id, json: #"{"body": "x"}"#, by: "someone-else").status == .notFound)
            #expect(try await Self.send(api, .patch, 999_999, json: #"{"body": "x"}"#).status == .notFound)
            let long = try await Self.send(api, .patch, id, json: "{\"body\": \"\(String(repeating: "가", count: 251))\"}")
            #expect(long.status == .unprocessableContent)
            #expect(try await Self.send(api, .patch, id, json: #"{"text": "x"}"#).status == .badRequest)
            try await api.db.query("UPDATE articles SET comments_closed_at = now() WHERE ref = 'a-1'")
            #expect(try await Self.send(api, .patch, id, json: #"{"body": "x"}"#).status == .conflict)
            try await api.db.query("UPDATE articles SET comments_closed_at = NULL WHERE ref = 'a-1'")
            // The window counts from the first version: six minutes later a five-minute window has passed.
            try await api.db.query("UPDATE comments SET submitted_at = now() - interval '6 minutes' WHERE id = \(id)")
            let late = try await Self.send(api, .patch, id, json: #"{"body": "too late"}"#)
            #expect(late.status == .conflict)
            #expect(late.json["reason"] as? String == "edit_window_passed")
            #expect(try await Self.row(api, id).body == "a comment")
            #expect(try await api.db.count("SELECT count(*) FROM comments") == 1, "nothing refused was written")
        }
    }

    /// An edit queues a new revision as a post queues a comment, so edits take their turns under the same burst limit
    /// (sql/0020): within a comment's edit window one login cannot queue revisions faster than it could post.
    @Test func editsTakeTheirTurnsUnderTheBurstLimitWithPosts() async throws {
        try await withAPI(postsPerMinute: 3) { api in
            let token = try await TestLogin.token(subject: "author-1")
            let posted = try await api.post(body: "the first text", token: token)
            #expect(posted.status == .accepted)
            var id = Int64(try #require(posted.json["id"] as? Int))
            for text in ["the second text", "the third text"] {
                let edited = try await Self.send(api, .patch, id, json: "{\"body\": \"\(text)\"}")
                #expect(edited.status == .accepted, "\(edited.text)")
                id = Int64(try #require(edited.json["id"] as? Int))
            }
            // Three in a minute: a fourth edit, and a new post, wait their turn.
            let refused = try await Self.send(api, .patch, id, json: #"{"body": "the fourth text"}"#)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.json["reason"] as? String == "rate_limited")
            #expect((1...60).contains(try #require(refused.headers[.retryAfter].flatMap(Int.init))))
            #expect(try await api.post(body: "another", token: token).status == .tooManyRequests)
            // Nothing refused was written: the last revision stands, queued, and is still the one to edit.
            #expect(try await api.db.count("SELECT count(*) FROM comments") == 3)
            #expect(try await Self.row(api, id).status == "queued")
            // Another reader is not affected.
            #expect(try await api.post(body: "mine", token: try await TestLogin.token(subject: "reader-2")).status == .accepted)
            // A delete queues nothing and is not counted.
            #expect(try await Self.send(api, .delete, id).status == .noContent)
        }
    }

    @Test func theAuthorDeletesAtAnyTimeAndOnlyTheirOwn() async throws {
        try await withAPI { api in
            let id = try await FlagTests.published(api, body: "to be deleted")
            try await api.db.query("UPDATE comments SET submitted_at = now() - interval '30 days' WHERE id = \(id)")
            #expect(try await Self.send(api, .delete, id, by: "someone-else").status == .notFound)
            #expect(try await Self.row(api, id).status == "approved")
            let deleted = try await Self.send(api, .delete, id)
            #expect(deleted.status == .noContent)
            #expect(try await Self.send(api, .delete, id).status == .noContent, "a retried delete succeeds")
            let row = try await Self.row(api, id)
            #expect(row.status == "removed" && row.reasons == ["deleted_by_author"])
            #expect(try await api.db.count("SELECT count(*) FROM moderation_decisions WHERE comment_id = \(id) AND source = 'author'") == 1)
            #expect(!(try await api.get("/v1/articles/a-1/comments")).text.contains("to be deleted"))
            #expect(try await Self.send(api, .patch, id, json: #"{"body": "back"}"#).status == .conflict, "a deleted comment is not edited")
            // A comment deleted while the worker holds it stays removed: the worker's decision is recorded, the status kept.
            let queued = Int64(
                try #require(try await api.post(body: "queued", token: try await TestLogin.token(subject: "author-1")).json["id"] as? Int)
            )
            let queue = ModerationQueue()
            let leases = try await api.db.withConnection { try await queue.claim(limit: 10, leaseSeconds: 60, worker: "w", on: $0) }
            let lease = try #require(leases.first { $0.commentID == queued })
            #expect(try await Self.send(api, .delete, queued).status == .noContent)
            let finished = try await api.db.withConnection {
                try await queue.finish(
                    [.init(lease: lease, outcome: "approve", reasons: [], hits: try PostgresJSON(encoding: [String]()))],
                    policyVersion: nil,
                    worker: "w",
                    on: $0
                )
            }
            #expect(finished.contains(queued))
            #expect(try await Self.row(api, queued).status == "removed")
        }
    }
}
