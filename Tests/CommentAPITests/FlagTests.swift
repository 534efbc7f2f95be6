import CommentAPI
import CommentStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresLibPQ
import PostgresTestSupport
import Testing

/// Reader flags (issue 20) over real HTTP against a real PostgreSQL: who may flag what, the hiding threshold and its
/// race, the moderators' resolution and the reported queue.
@Suite("Reader flags", .timeLimit(.minutes(3)))
struct FlagTests {
    /// A published comment by `author`, as the worker would leave it.
    static func published(_ api: APIHarness, author: String = "author-1", body: String = "a published comment") async throws -> Int64 {
        let id = Int64(try #require(try await api.post(body: body, token: try await TestLogin.token(subject: author)).json["id"] as? Int))
        try await ReadTests.decide(api, [id], status: "approved", outcome: "approve", reasons: [])
        return id
    }

    static func flag(_ api: APIHarness, _ id: Int64, by subject: String, json: String = #"{"reason": "abusive"}"#) async throws -> TestResponse {
        try await api.post(
            json: json,
            token: try await TestLogin.token(subject: subject),
            path: "/v1/comments/\(id)/flags"
        )
    }

    static func status(_ api: APIHarness, _ id: Int64) async throws -> String {
        try await api.db.query("SELECT status FROM comments WHERE id = \(id)").single().decode(String.self, at: 0)
    }

    @Test func aReaderFlagsAPublishedCommentOnce() async throws {
        try await withAPI { api in
            let id = try await Self.published(api)
            let first = try await Self.flag(api, id, by: "flagger-1", json: #"{"reason": "personal_info", "note": "  phone number  "}"#)
            #expect(first.status == .created)
            #expect(first.json["comment"] as? Int == Int(id))
            #expect(first.json["repeated"] as? Bool == false)
            #expect(first.json["hidden"] as? Bool == false)
            #expect(first.headers[.cacheControl] == "no-store")
            let again = try await Self.flag(api, id, by: "flagger-1", json: #"{"reason": "spam"}"#)
            #expect(again.status == .ok)
            #expect(again.json["repeated"] as? Bool == true)
            #expect(again.json["id"] as? Int == first.json["id"] as? Int)
            let stored = try await api.db.query("SELECT reason, note FROM comment_flags WHERE comment_id = \(id)")
            #expect(try stored.map { try $0.decode((String, String?).self) }.map { "\($0.0)|\($0.1 ?? "")" } == ["personal_info|phone number"])
            #expect(try await Self.status(api, id) == "approved")
        }
    }

    @Test func whatCannotBeFlaggedIsRefusedAndWritesNothing() async throws {
        try await withAPI { api in
            let id = try await Self.published(api)
            let held = Int64(
                try #require(try await api.post(body: "held one", token: try await TestLogin.token(subject: "author-1")).json["id"] as? Int)
            )
            try await ReadTests.decide(api, [held], status: "held", outcome: "hold", reasons: ["link"])
            let cases: [(Int64, String, String, HTTPResponse.Status, String)] = [
                (id, "author-1", #"{"reason": "abusive"}"#, .forbidden, "own-comment"),
                (held, "flagger-1", #"{"reason": "abusive"}"#, .notFound, "not-found"),
                (999_999, "flagger-1", #"{"reason": "abusive"}"#, .notFound, "not-found"),
                (id, "flagger-1", #"{"reason": "boring"}"#, .badRequest, "bad-request"),
                (id, "flagger-1", #"{}"#, .badRequest, "bad-request"),
                (id, "flagger-1", #"{"reason": "spam", "reason": "other"}"#, .badRequest, "bad-request"),
                (id, "flagger-1", #"{"reason": "spam", "note": 5}"#, .badRequest, "bad-request"),
                (id, "flagger-1", "{\"reason\": \"spam\", \"note\": \"\(String(repeating: "가", count: 501))\"}", .badRequest, "bad-request"),
                (id, "flagger-1", #"{"reason": "spam", "note": "a\u0000b"}"#, .badRequest, "bad-request"),
            ]
            for (comment, subject, json, status, type) in cases {
                let response = try await Self.flag(api, comment, by: subject, json: json)
                #expect(response.status == status, "\(json) on \(comment) by \(subject): \(response.text)")
                #expect((response.json["type"] as? String)?.hasSuffix(type) == true, "\(response.text)")
            }
            let anonymous = try await api.post(json: #"{"reason": "spam"}"#, token: nil, path: "/v1/comments/\(id)/flags")
            #expect(anonymous.status == .unauthorized)
            _ = try await api.post(body: "makes the account", token: try await TestLogin.token(subject: "banned-1"))
            try await api.db.query("UPDATE accounts SET status = 'banned' WHERE provider_subject = 'banned-1'")
            #expect(try await Self.flag(api, id, by: "banned-1").status == .forbidden)
            #expect(try await api.db.count("SELECT count(*) FROM comment_flags") == 0)
        }
    }

    @Test func enoughFlagsFromReadersInGoodStandingHideTheCommentOnce() async throws {
        try await withAPI { api in
            let id = try await Self.published(api)
            #expect(try await Self.flag(api, id, by: "f1").json["hidden"] as? Bool == false)
            #expect(try await Self.flag(api, id, by: "f2", json: #"{"reason": "offensive"}"#).json["hidden"] as? Bool == false)
            // f2 is banned after flagging: their flag no longer counts towards hiding.
            try await api.db.query("UPDATE accounts SET status = 'banned' WHERE provider_subject = 'f2'")
            #expect(try await Self.flag(api, id, by: "f3").json["hidden"] as? Bool == false)
            #expect(try await Self.status(api, id) == "approved")
            let third = try await Self.flag(api, id, by: "f4")
            #expect(third.json["hidden"] as? Bool == true)
            #expect(try await Self.status(api, id) == "held")
            let listed = try await api.get("/v1/articles/a-1/comments")
            #expect((listed.json["comments"] as? [[String: Any]])?.isEmpty == true, "a hidden comment is not listed")
            let decision = try await api.db.query(
                "SELECT source, outcome, reasons, decided_by, hits->0->>'flags' FROM moderation_decisions WHERE comment_id = \(id) AND source = 'readers'"
            ).single().decode((String, String, [String], String, String).self)
            #expect(decision.1 == "hold")
            #expect(decision.2 == ["reader_flags"])
            #expect(decision.3 == "reader-flags")
            #expect(decision.4 == "3")
            // A later flag on the hidden comment is refused like any unpublished one, and hides nothing twice.
            #expect(try await Self.flag(api, id, by: "f5").status == .notFound)
            #expect(try await api.db.count("SELECT count(*) FROM moderation_decisions WHERE comment_id = \(id) AND source = 'readers'") == 1)
        }
    }

    @Test func concurrentFlagsHideTheCommentExactlyOnce() async throws {
        try await withAPI { api in
            let id = try await Self.published(api)
            let tokens = try await (0..<8).asyncMap { try await TestLogin.token(subject: "racer-\($0)") }
            let port = try #require(api.client.port)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for token in tokens {
                    group.addTask {
                        try await postOnce(port: port, path: "/v1/comments/\(id)/flags", json: #"{"reason": "abusive"}"#, token: token).head.status
                            .code
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            // The flags that came before the third was counted are recorded; those after it find the comment hidden.
            #expect(statuses.filter { $0 == 201 }.count >= 3)
            #expect(statuses.allSatisfy { $0 == 201 || $0 == 404 }, "\(statuses)")
            #expect(try await api.db.count("SELECT count(*) FROM moderation_decisions WHERE comment_id = \(id) AND source = 'readers'") == 1)
            #expect(try await Self.status(api, id) == "held")
        }
    }

    @Test func theHourlyLimitIsThePolicys() async throws {
        try await withAPI { api in
            try await api.db.query("UPDATE policy_versions SET flags_per_hour = 2, flags_to_hide = 0 WHERE is_active")
            let ids = [try await Self.published(api), try await Self.published(api), try await Self.published(api)]
            #expect(try await Self.flag(api, ids[0], by: "busy").status == .created)
            #expect(try await Self.flag(api, ids[1], by: "busy").status == .created)
            let third = try await Self.flag(api, ids[2], by: "busy")
            #expect(third.status == .tooManyRequests)
            let wait = Int(try #require(third.headers[.retryAfter]))
            #expect(wait.map { (3000...3600).contains($0) } == true, "\(third.headers[.retryAfter] ?? "")")
            #expect(try await Self.flag(api, ids[2], by: "someone-else").status == .created, "the limit is per reader")
            #expect(try await Self.status(api, ids[0]) == "approved", "flags_to_hide 0 never hides")
        }
    }

    @Test func aModeratorsDecisionResolvesTheFlagsAndKeepingIsFinal() async throws {
        try await withAPI { api in
            let kept = try await Self.published(api, body: "kept")
            let removed = try await Self.published(api, body: "removed")
            let shown = try await Self.published(api, body: "shown but flagged")
            let raced = try await Self.published(api, body: "raced")
            for subject in ["m1", "m2", "m3"] {
                _ = try await Self.flag(api, kept, by: subject)
                _ = try await Self.flag(api, removed, by: subject, json: #"{"reason": "spam"}"#)
                _ = try await Self.flag(api, raced, by: "r-\(subject)")
            }
            _ = try await Self.flag(api, shown, by: "m1", json: #"{"reason": "other", "note": "check this"}"#)
            #expect(try await Self.status(api, kept) == "held")
            let moderation = Moderation()
            let reported = try await api.db.withConnection { try await moderation.reported(limit: 10, on: $0) }
            #expect(reported.map(\.id) == [kept, removed, raced, shown], "the most flagged first, then the longest waiting")
            #expect(reported.first?.status == .held)
            #expect(reported.first?.byReason == ["abusive": 3])
            #expect(reported.last?.flags == 1)
            #expect(reported.last?.status == .approved)

            // Two moderators at once on a hidden comment: one decision, the other told. Both are made to wait on the
            // comment's row lock, held by a third connection, so the second really decides after the first commits.
            func decide(_ ruling: Moderation.Ruling, by moderator: String) async -> Result<Moderation.Decided, any Error> {
                do {
                    return .success(
                        try await api.db.withConnection {
                            try await moderation.decide(raced, ruling, reasons: [], note: nil, moderator: moderator, reverse: false, on: $0)
                        }
                    )
                } catch {
                    return .failure(error)
                }
            }
            let racing = try await api.db.withConnection { holder in
                try await holder.withTransaction { holder in
                    try await holder.query("SELECT 1 FROM comments WHERE id = \(raced) FOR UPDATE")
                    let racing = [Task { await decide(.approve, by: "kim") }, Task { await decide(.reject, by: "lee") }]
                    try await waitUntil("both moderators wait for the lock", timeout: .seconds(20)) {
                        try await api.db.count(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                        ) >= 2
                    }
                    return racing
                }
            }
            var outcomes: [Result<Moderation.Decided, any Error>] = []
            for task in racing { outcomes.append(await task.value) }
            #expect(outcomes.filter { (try? $0.get()) != nil }.count == 1)
            #expect(outcomes.contains { if case .failure(let error) = $0 { error is Moderation.Refusal } else { false } })
            #expect(try await api.db.count("SELECT count(*) FROM comment_flags WHERE comment_id = \(raced) AND resolved_at IS NOT NULL") == 3)

            _ = try await api.db.withConnection {
                try await moderation.decide(kept, .approve, reasons: [], note: nil, moderator: "kim", reverse: false, on: $0)
            }
            _ = try await api.db.withConnection {
                try await moderation.decide(removed, .reject, reasons: ["spam"], note: nil, moderator: "kim", reverse: false, on: $0)
            }
            // A published comment with open flags can be kept without being held first.
            let keptShown = try await api.db.withConnection {
                try await moderation.decide(shown, .approve, reasons: [], note: nil, moderator: "kim", reverse: false, on: $0)
            }
            #expect(keptShown.status == .approved)
            #expect(try await api.db.withConnection { try await moderation.reported(limit: 10, on: $0) }.isEmpty)
            #expect(try await api.db.count("SELECT count(*) FROM comment_flags WHERE comment_id = \(removed) AND upheld") == 3)
            #expect(try await api.db.count("SELECT count(*) FROM comment_flags WHERE comment_id = \(shown) AND upheld = false") == 1)
            #expect(try await Self.status(api, kept) == "approved")
            #expect(try await Self.status(api, removed) == "rejected")

            // Kept by a moderator after flags: new flags wait in the reported queue and hide nothing.
            for subject in ["n1", "n2", "n3", "n4"] { #expect(try await Self.flag(api, kept, by: subject).json["hidden"] as? Bool == false) }
            #expect(try await Self.status(api, kept) == "approved")
            let again = try await api.db.withConnection { try await moderation.reported(limit: 10, on: $0) }
            #expect(again.map(\.id) == [kept])
            #expect(again.first?.flags == 4)
            #expect(again.first?.flaggersResolved == 0, "n1…n4 have no record yet")
            // A flagger's record: m1's flags were kept twice (kept, shown) and upheld once (removed).
            let fresh = try await Self.published(api, body: "fresh")
            _ = try await Self.flag(api, fresh, by: "m1")
            let withRecord = try await api.db.withConnection { try await moderation.reported(limit: 10, on: $0) }.first { $0.id == fresh }
            #expect(withRecord?.flaggersResolved == 3)
            #expect(withRecord?.flaggersUpheld == 1)
            #expect(try await Self.flag(api, kept, by: "m1").json["repeated"] as? Bool == true, "once per comment, even after resolution")
            let flags = try await api.db.withConnection { try await moderation.flags(comment: shown, on: $0) }
            #expect(flags.map(\.note) == ["check this"])
            #expect(flags.map(\.upheld) == [false])
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var values: [T] = []
        for element in self { values.append(try await transform(element)) }
        return values
    }
}
