import CommentAPI
import CommentStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PolicyReports
import PostgresLibPQ
import PostgresTestSupport
import Testing

/// Readers' rights (issue 20, PIPA / GDPR) against a real PostgreSQL: the export of everything stored, erasure that
/// leaves no text or identity anywhere while the report's figures stay, a reader's own request with its grace period,
/// and the retention of rejected text.
@Suite("Readers' rights: export and erasure", .timeLimit(.minutes(3)))
struct PrivacyTests {
    static let subject = "privacy-subject-8841"
    static let secretText = "a very personal remark 7731"

    static func token(_ subject: String = subject) async throws -> String {
        var claims = TestLogin.Claims()
        claims.sub = subject
        claims.name = "Unmistakable Name 5502"
        return try await TestLogin.token(claims)
    }

    /// A reader with a published comment (whose hit matched a word), a rejected one with an idempotency key, a reply, a
    /// flag with a note, a moderator's decision with a note, and a sanction.
    static func seed(_ api: APIHarness) async throws -> (published: Int64, rejected: Int64) {
        let token = try await token()
        let published = try Self.id(try await api.post(body: secretText, token: token))
        try await api.db.query(
            """
            WITH d AS (INSERT INTO moderation_decisions (comment_id, source, outcome, reasons, hits, decided_by)
                       VALUES (\(published), 'automatic', 'approve', '{}',
                               '[{"rule": "links", "reason": "link", "action": "approve", "matched": "personal", "start": 7, "end": 15}]',
                               'worker-1'))
            UPDATE comments SET status = 'approved' WHERE id = \(published)
            """
        )
        let rejected = try Self.id(
            try await api.post(body: "second remark 7732", token: token, headers: [.init("Idempotency-Key")!: "privacy-key-1"])
        )
        try await ReadTests.decide(api, [rejected], status: "held", outcome: "hold", reasons: ["insult"])
        _ = try await api.db.withConnection {
            try await Moderation().decide(
                rejected,
                .reject,
                reasons: ["insult"],
                note: "moderator note 9917",
                moderator: "kim",
                reverse: false,
                on: $0
            )
        }
        let other = try await FlagTests.published(api, author: "someone-else", body: "another reader's comment")
        #expect(try await FlagTests.flag(api, other, by: subject, json: #"{"reason": "spam", "note": "flag note 6620"}"#).status == .created)
        _ = try await api.db.withConnection {
            try await Accounts().sanction(
                AccountRef("twitter:\(subject)")!,
                .warn,
                reason: "tone",
                duration: nil,
                rejectPending: false,
                moderator: "kim",
                on: $0
            )
        }
        return (published, rejected)
    }

    static func id(_ response: TestResponse) throws -> Int64 { Int64(try #require(response.json["id"] as? Int, "\(response.text)")) }

    @Test func theReaderDownloadsEverythingStoredAboutThem() async throws {
        try await withAPI { api in
            let (published, rejected) = try await Self.seed(api)
            let response = try await api.get("/v1/me/export", token: try await Self.token())
            #expect(response.status == .ok)
            #expect(response.headers[.contentDisposition]?.contains("attachment") == true)
            #expect(response.headers[.cacheControl] == "private, no-store")
            let json = response.json
            let account = try #require(json["account"] as? [String: Any])
            #expect(account["subject"] as? String == Self.subject && account["displayName"] as? String == "Unmistakable Name 5502")
            let comments = try #require(json["comments"] as? [[String: Any]])
            #expect(comments.compactMap { $0["id"] as? Int } == [Int(published), Int(rejected)])
            #expect(comments.first?["body"] as? String == Self.secretText)
            let decisions = comments.last?["decisions"] as? [[String: Any]] ?? []
            #expect(decisions.last?["by"] as? String == "a moderator", "moderators' names are theirs, not the reader's")
            #expect(decisions.last?["note"] is NSNull || decisions.last?["note"] == nil)
            #expect((json["flags"] as? [[String: Any]])?.first?["note"] as? String == "flag note 6620")
            #expect((json["sanctions"] as? [[String: Any]])?.first?["kind"] as? String == "warn")
            #expect(!response.text.contains("kim"))
            #expect(try await api.get("/v1/me/export", token: try await Self.token("never-seen")).status == .notFound)
            #expect(try await api.get("/v1/me/export").status == .unauthorized)

            // The moderators' copy has everything, names and notes included.
            let full = try #require(try await api.db.withConnection { try await Accounts().export(AccountRef("twitter:\(Self.subject)")!, on: $0) })
            #expect(full.contains("moderator note 9917") && full.contains("\"kim\""))
        }
    }

    /// After erasure no column of any table holds the reader's texts, subject, name or notes, the published comment is
    /// no longer listed, and the day's report, stored before, has the same figures and names only the pseudonym.
    @Test func erasureLeavesNoTextOrIdentityAndTheReportsFiguresStay() async throws {
        try await withAPI { api in
            _ = try await Self.seed(api)
            let today = String(Date.now.ISO8601Format().prefix(10))
            let before = try await api.db.withConnection { connection in
                let report = try await ReportBuilder().build(date: today, timeZone: "UTC", on: connection)
                try await report.save(on: connection)
                return report
            }
            #expect(before.sanctions.first?.account == "twitter:\(Self.subject)")
            let erased = try await api.db.withConnection { try await Accounts().erase(AccountRef("twitter:\(Self.subject)")!, by: "dpo", on: $0) }
            #expect(erased == 2)

            let needles = [Self.subject, Self.secretText, "second remark 7732", "Unmistakable Name 5502", "flag note 6620", "privacy-key-1"]
            let columns = try await api.db.query(
                """
                SELECT table_name, column_name FROM information_schema.columns
                WHERE table_schema = current_schema() AND data_type IN ('text', 'jsonb', 'ARRAY', 'character varying')
                """
            ).map { try $0.decode((String, String).self) }
            #expect(columns.count > 20)
            for (table, column) in columns {
                for needle in needles {
                    let found = try await api.db.count(
                        "SELECT count(*) FROM \(identifier: table) WHERE \(identifier: column)::text LIKE '%' || \(needle) || '%'"
                    )
                    #expect(found == 0, "\(table).\(column) still holds \(needle)")
                }
            }
            // The decision's matched word is gone with the text; its rule and reason stay.
            let hits = try await api.db.query("SELECT hits::text FROM moderation_decisions WHERE hits::text LIKE '%links%'").single()
                .decode(String.self, at: 0)
            #expect(!hits.contains("personal") && hits.contains("\"reason\": \"link\""))
            #expect(!(try await api.get("/v1/articles/a-1/comments")).text.contains("7731"))

            let after = try await api.db.withConnection { try await ReportBuilder().build(date: today, timeZone: "UTC", on: $0) }
            #expect(after.totals == before.totals, "the report's figures do not change")
            #expect(after.reasons == before.reasons && after.hourly == before.hourly)
            let stored = try await api.db.query("SELECT markdown, summary::text FROM policy_reports").single().decode((String, String).self)
            #expect(stored.0.contains("erased:") && stored.1.contains("erased:"))
            // The erased login starts afresh if it comes back: nothing links it to the erased account.
            #expect(try await api.post(body: "back again", token: try await Self.token()).status == .accepted)
            #expect(try await api.db.count("SELECT count(*) FROM accounts WHERE provider_subject = \(Self.subject)") == 1)
        }
    }

    @Test func aReadersOwnRequestWaitsForTheGracePeriodAndCanBeCancelled() async throws {
        try await withAPI { api in
            _ = try await Self.seed(api)
            let token = try await Self.token()
            func request() async throws -> TestResponse {
                try await api.client.execute(uri: "/v1/me/erasure", method: .post, headers: [.authorization: "Bearer \(token)"])
            }
            func cancel() async throws -> TestResponse {
                try await api.client.execute(uri: "/v1/me/erasure", method: .delete, headers: [.authorization: "Bearer \(token)"])
            }
            let first = try await request()
            #expect(first.status == .accepted)
            let due = try #require((first.json["dueAt"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
            #expect(abs(due.timeIntervalSinceNow - 7 * 86_400) < 120, "the default policy's seven days")
            #expect(try await request().json["dueAt"] as? String == first.json["dueAt"] as? String, "a repeated request changes nothing")
            #expect(try await cancel().status == .noContent)
            #expect(try await cancel().status == .notFound)
            #expect(try await request().status == .accepted)
            // Not yet due: the worker's maintenance leaves it; once due, it erases.
            let maintenance = { try await api.db.withConnection { try await Accounts().privacyMaintenance(limit: 10, on: $0) } }
            #expect(try await maintenance().erased == 0)
            try await api.db.query(
                "UPDATE account_erasures SET due_at = now() - interval '1 minute' WHERE erased_at IS NULL AND cancelled_at IS NULL"
            )
            #expect(try await maintenance().erased == 1)
            #expect(try await api.db.count("SELECT count(*) FROM comments WHERE body LIKE '%7731%'") == 0)
            #expect(try await api.db.count("SELECT count(*) FROM account_erasures WHERE erased_at IS NOT NULL AND requested_by = 'reader'") == 1)
        }
    }

    @Test func rejectedTextIsPrunedAfterThePolicysRetention() async throws {
        try await withAPI { api in
            let (published, rejected) = try await Self.seed(api)
            let maintenance = { try await api.db.withConnection { try await Accounts().privacyMaintenance(limit: 10, on: $0) } }
            try await api.db.query("UPDATE policy_versions SET rejected_text_days = 30 WHERE is_active")
            #expect(try await maintenance().pruned == 0, "decided today: kept")
            try await api.db.query("UPDATE comments SET status_changed_at = now() - interval '31 days' WHERE id IN (\(published), \(rejected))")
            #expect(try await maintenance().pruned == 1, "only the rejected one")
            #expect(try await OwnCommentTests.row(api, rejected).body == "")
            #expect(try await OwnCommentTests.row(api, published).body == Self.secretText)
            try await api.db.query("UPDATE policy_versions SET rejected_text_days = NULL WHERE is_active")
            try await api.db.query("UPDATE comments SET status = 'removed' WHERE id = \(published)")
            #expect(try await maintenance().pruned == 0, "no retention set: kept")
        }
    }
}
