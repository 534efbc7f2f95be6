import CommentStore
import Foundation
import PostgresLibPQ
import PostgresTestSupport
import Testing

/// A migrated database with an article, two readers and comments in known states, for the real `modctl`.
struct Desk {
    let db: PostgresClient
    let url: String

    func modctl(_ arguments: String..., as moderator: String = "kim") async throws -> CommandResult {
        try await runModctl(arguments, databaseURL: url, environment: ["MODCTL_MODERATOR": moderator])
    }

    /// Submits a comment from `subject` and gives it an automatic decision with `status` (held by default).
    @discardableResult
    func comment(_ body: String, by subject: String = "r1", status: String = "held", reasons: [String] = ["link"]) async throws -> Int64 {
        let id = try await db.query("SELECT submit_comment('a-1', 'twitter', \(subject), 'Reader', \(body), NULL)").single().decode(Int64.self, at: 0)
        let outcome = status == "held" ? "hold" : status == "approved" ? "approve" : "reject"
        try await db.query(
            """
            WITH d AS (
                INSERT INTO moderation_decisions (comment_id, source, outcome, reasons, hits, decided_by)
                VALUES (\(id), 'automatic', \(outcome), \(reasons)::text[],
                        jsonb_build_array(jsonb_build_object('rule', 'links', 'reason', 'link', 'category', 'link', 'action', 'hold',
                                                             'start', 0, 'end', 4, 'matched', 'http')),
                        'tests')
            ), q AS (UPDATE comment_queue SET state = 'done', finished_at = now() WHERE comment_id = \(id))
            UPDATE comments SET status = \(status), reasons = \(reasons)::text[] WHERE id = \(id)
            """
        )
        return id
    }

    func status(_ id: Int64) async throws -> String {
        try await db.query("SELECT status FROM comments WHERE id = \(id)").single().decode(String.self, at: 0)
    }

    func json(_ result: CommandResult) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout) \(result.stderr)")
    }
}

func withDesk(_ body: (Desk) async throws -> Void) async throws {
    try await withMigratedDatabase(label: "modctl") { db in
        try await db.query("SELECT register_article('a-1', 'https://news.test/a-1', 'Article one', now())")
        try await body(Desk(db: db, url: db.configuration.connectionString!))
    }
}

@Suite("modctl for moderators", .timeLimit(.minutes(5)))
struct ModctlTests {
    @Test func queueListsHeldOldestFirstWithFiltersAndCounts() async throws {
        try await withDesk { desk in
            let first = try await desk.comment("http://spam.example first")
            try await desk.db.query("UPDATE comments SET submitted_at = now() - interval '3 hours' WHERE id = \(first)")
            let second = try await desk.comment("second", by: "r2", reasons: ["new_commenter"])
            try await desk.comment("published", status: "approved", reasons: [])
            let all = try desk.json(try await desk.modctl("queue", "--json"))
            #expect(all["held"] as? Int == 2)
            let ids = (all["comments"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
            #expect(ids == [Int(first), Int(second)])
            #expect(all["byReason"] as? [String: Int] == ["link": 1, "new_commenter": 1])
            let byReason = try desk.json(try await desk.modctl("queue", "--json", "--reason", "new_commenter"))
            #expect((byReason["comments"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [Int(second)])
            #expect(byReason["held"] as? Int == 1 && byReason["heldInAll"] as? Int == 2, "the counts follow the filter")
            #expect(byReason["byReason"] as? [String: Int] == ["new_commenter": 1])
            #expect(all["heldInAll"] == nil)
            let old = try desk.json(try await desk.modctl("queue", "--json", "--older-than", "1h"))
            #expect((old["comments"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [Int(first)])
            let none = try desk.json(try await desk.modctl("queue", "--json", "--article", "other"))
            #expect((none["comments"] as? [Any])?.isEmpty == true)
            let table = try await desk.modctl("queue")
            #expect(table.code == 0)
            #expect(table.stdout.contains("held: 2, oldest 3h"))
            #expect(table.stdout.contains("twitter:r1"))
            #expect(!table.stdout.contains("\u{1B}["), "no colour when not on a terminal")
            #expect(try await desk.modctl("queue", "--older-than", "soon").code == 2)
            let filtered = try await desk.modctl("queue", "--older-than", "1h")
            #expect(filtered.stdout.contains("held: 1 matching (of 2 held), oldest 3h"), "\(filtered.stdout)")
            #expect(filtered.stdout.contains("by reason: link 1\n"), "\(filtered.stdout)")
            // The queue's own figures: nothing waiting for a worker, two held, the oldest three hours.
            let status = try desk.json(try await desk.modctl("status", "--json"))
            #expect(status["queued"] as? Int == 0 && status["in_progress"] as? Int == 0 && status["failed"] as? Int == 0, "\(status)")
            #expect(status["held"] as? Int == 2)
            #expect((status["oldest_held_seconds"] as? Int).map { (10_800..<10_900).contains($0) } == true, "\(status)")
        }
    }

    @Test func approveAndRejectRecordTheModeratorAndRefuseUnknownCodesAndIds() async throws {
        try await withDesk { desk in
            let a = try await desk.comment("one")
            let b = try await desk.comment("two")
            let approved = try await desk.modctl("approve", String(a), "--note", "fine in context")
            #expect(approved.code == 0, "\(approved.stderr)")
            #expect(try await desk.status(a) == "approved")
            let unknown = try await desk.modctl("reject", String(b), "--reason", "rude")
            #expect(unknown.code == 2)
            #expect(unknown.stderr.contains("unknown reason code 'rude'"))
            #expect(try await desk.status(b) == "held", "nothing changed")
            let circumstance = try await desk.modctl("reject", String(b), "--reason", "too_long")
            #expect(circumstance.code == 2 && circumstance.stderr.contains("not a moderator's reason code 'too_long'"), "\(circumstance.stderr)")
            #expect(try await desk.status(b) == "held")
            let rejected = try await desk.modctl("reject", String(b), "--reason", "insult", "--moderator", "lee")
            #expect(rejected.code == 0)
            #expect(try await desk.status(b) == "rejected")
            #expect(try await desk.db.query("SELECT reasons FROM comments WHERE id = \(b)").single().decode([String].self, at: 0) == ["insult"])
            let trail = try await desk.db.query(
                "SELECT decided_by, outcome, reasons, coalesce(note, '') FROM moderation_decisions WHERE source = 'moderator' ORDER BY id"
            ).map { try $0.decode((String, String, [String], String).self) }
            #expect(trail.map(\.0) == ["kim", "lee"])
            #expect(trail.map(\.1) == ["approve", "reject"])
            #expect(trail[1].2 == ["insult"])
            #expect(trail[0].3 == "fine in context")
            let missing = try await desk.modctl("approve", "999999")
            #expect(missing.code == 3)
            #expect(missing.stderr.contains("comment 999999 does not exist"))
        }
    }

    /// The second moderator to decide is refused with who decided first; --reverse overturns deliberately.
    @Test func decisionsByAnotherModeratorAreNotAppliedTwice() async throws {
        try await withDesk { desk in
            let id = try await desk.comment("contested")
            async let first = desk.modctl("approve", String(id), as: "kim")
            async let second = desk.modctl("reject", String(id), "--reason", "spam", as: "lee")
            let results = try await [first, second]
            #expect(results.map(\.code).sorted { ($0 ?? 9) < ($1 ?? 9) } == [0, 3], "\(results.map(\.stderr))")
            let loser = try #require(results.first { $0.code == 3 })
            #expect(loser.stderr.contains("decided by"))
            #expect(loser.stderr.contains("nothing changed"))
            #expect(try await desk.db.count("SELECT count(*) FROM moderation_decisions WHERE source = 'moderator'") == 1)
            // Overturning on purpose is a new decision row: rejecting an approved comment removes it.
            if try await desk.status(id) == "approved" {
                #expect(try await desk.modctl("reject", String(id), "--reason", "spam", "--reverse").code == 0)
                #expect(try await desk.status(id) == "removed")
            } else {
                #expect(try await desk.modctl("approve", String(id), "--reverse").code == 0)
                #expect(try await desk.status(id) == "approved")
            }
            #expect(try await desk.db.count("SELECT count(*) FROM moderation_decisions WHERE comment_id = \(id)") == 3)
        }
    }

    @Test func showAndHistoryExplainADecision() async throws {
        try await withDesk { desk in
            let earlier = try await desk.comment("earlier remark")
            _ = try await desk.modctl("approve", String(earlier))
            let id = try await desk.comment("http://spam.example")
            _ = try await desk.modctl("reject", String(id), "--reason", "spam", "--note", "link farm")
            let show = try await desk.modctl("show", String(id))
            #expect(show.code == 0)
            #expect(show.stdout.contains("«http»://spam.example"), "hit marked without colour: \(show.stdout)")
            #expect(show.stdout.contains("hold link (rule links)"))
            #expect(show.stdout.contains("author: Reader — active"))
            #expect(show.stdout.contains("reject (spam) by kim [moderator] — link farm"))
            #expect(show.stdout.contains("author's recent decisions:\n"))
            #expect(show.stdout.contains("comment \(earlier): approve by kim [moderator]"))
            let json = try desk.json(try await desk.modctl("show", String(id), "--json"))
            #expect((json["history"] as? [Any])?.count == 2)
            #expect(try await desk.modctl("show", "424242").code == 3)
            // Times in the active policy's site zone (Seoul in the default policy), or the one asked for.
            let submitted = try await desk.db.query("SELECT submitted_at FROM comments WHERE id = \(id)").single().decode(Date.self, at: 0)
            func shown(_ zone: String) -> String {
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = TimeZone(identifier: zone)!
                let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: submitted)
                return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
            }
            #expect(show.stdout.contains("submitted \(shown("Asia/Seoul")) +09:00 by twitter:r1"), "\(show.stdout)")
            let inUTC = try await desk.modctl("show", String(id), "--timezone", "UTC")
            #expect(inUTC.stdout.contains("submitted \(shown("UTC")) +00:00 by twitter:r1"), "\(inUTC.stdout)")
            let unknownZone = try await desk.modctl("history", String(id), "--timezone", "Mars/Olympus")
            #expect(unknownZone.code == 2 && unknownZone.stderr.contains("unknown time zone 'Mars/Olympus'"), "\(unknownZone.stderr)")
            let history = try await desk.modctl("history", String(id))
            #expect(history.stdout.contains("+09:00  comment \(id): reject (spam) by kim"), "\(history.stdout)")
            #expect(history.stdout.split(separator: "\n").count == 2)
            let account = try await desk.modctl("history", "--account", "twitter:r1")
            #expect(account.stdout.contains("comment \(id): reject (spam) by kim"))
            #expect(try await desk.modctl("history", "--account", "twitter:nobody").code == 3)
            #expect(try await desk.modctl("history", "--account", "nocolon").code == 2)
            let bare = try await desk.modctl("history")
            #expect(bare.code == 2)
            #expect(bare.stderr.contains("modctl history 42") && bare.stderr.contains("--account twitter:12345"), "\(bare.stderr)")
        }
    }

    /// Issue 20: the comments readers flagged, most flagged first; `show` lists the flags; approve keeps a shown
    /// comment and resolves its flags, reject removes it and upholds them.
    @Test func theReportedQueueListsFlaggedCommentsAndADecisionResolvesThem() async throws {
        try await withDesk { desk in
            let once = try await desk.comment("flagged once", status: "approved", reasons: [])
            let twice = try await desk.comment("flagged twice", by: "r2", status: "approved", reasons: [])
            func flag(_ id: Int64, by subject: String, _ reason: ReaderComments.FlagReason, note: String? = nil) async throws {
                _ = try await desk.db.withConnection {
                    try await ReaderComments().flag(
                        commentID: id,
                        reader: .init(provider: "facebook", subject: subject, displayName: "", tokenIssuedAt: nil, tokenExpiresAt: nil),
                        reason: reason,
                        note: note,
                        on: $0
                    )
                }
            }
            try await flag(once, by: "f1", .spam, note: "sells watches")
            try await flag(twice, by: "f1", .abusive)
            try await flag(twice, by: "f2", .abusive)
            let listed = try await desk.modctl("queue", "--reported", "--json")
            let comments = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]], "\(listed.stdout)")
            #expect(comments.compactMap { $0["id"] as? Int } == [Int(twice), Int(once)])
            #expect(comments.first?["byReason"] as? [String: Int] == ["abusive": 2])
            let table = try await desk.modctl("queue", "--reported")
            #expect(table.stdout.contains("reported: 2 comments with open flags"), "\(table.stdout)")
            #expect(table.stdout.contains("abusive 2"))
            #expect(table.stdout.contains("shown"))
            let show = try await desk.modctl("show", String(once))
            #expect(show.stdout.contains("flags from readers:"))
            #expect(show.stdout.contains("spam by facebook:f1 [open]: sells watches"), "\(show.stdout)")

            #expect(try await desk.modctl("approve", String(once)).code == 0, "a published comment with open flags can be kept")
            #expect(try await desk.status(once) == "approved")
            #expect(try await desk.modctl("reject", String(twice), "--reason", "insult").code == 0)
            #expect(try await desk.status(twice) == "removed")
            #expect(try await desk.modctl("show", String(once)).stdout.contains("[not upheld]"))
            #expect(try await desk.modctl("show", String(twice)).stdout.contains("[upheld]"))
            #expect(try await desk.modctl("queue", "--reported").stdout.contains("reported: 0 comments"))
            #expect(try await desk.modctl("approve", String(once)).code == 3, "without open flags a published comment needs --reverse")
        }
    }

    /// Issue 20: a reader's data exported for the data protection officer, then erased (with confirmation).
    @Test func accountExportAndErase() async throws {
        try await withDesk { desk in
            let id = try await desk.comment("my own words 4410")
            let export = try await desk.modctl("account", "export", "twitter:r1")
            #expect(export.code == 0)
            let json = try desk.json(export)
            #expect((json["comments"] as? [[String: Any]])?.first?["body"] as? String == "my own words 4410")
            #expect(try await desk.modctl("account", "export", "twitter:nobody").code == 3)
            #expect(try await desk.modctl("account", "erase", "twitter:r1").code == 2, "erasure needs --yes")
            let erased = try await desk.modctl("account", "erase", "twitter:r1", "--yes")
            #expect(erased.code == 0)
            #expect(erased.stdout.contains("the texts of 1 comments"), "\(erased.stdout)")
            #expect(try await desk.db.count("SELECT count(*) FROM comments WHERE id = \(id) AND body = '' AND erased_at IS NOT NULL") == 1)
            #expect(try await desk.db.count("SELECT count(*) FROM account_erasures WHERE requested_by = 'kim'") == 1)
            #expect(try await desk.modctl("account", "export", "twitter:r1").code == 3, "the login no longer names anyone")
        }
    }

    /// Issue 20: webhook endpoints added (the secret shown once), listed with their deliveries, removed.
    @Test func webhooksAddListRemove() async throws {
        try await withDesk { desk in
            let added = try await desk.modctl(
                "webhooks",
                "add",
                "https://chat.news.test/hooks/moderation",
                "--events",
                "comment.held",
                "account.sanctioned"
            )
            #expect(added.code == 0, "\(added.stderr)")
            #expect(added.stdout.contains("webhook 1: https://chat.news.test/hooks/moderation (comment.held, account.sanctioned)"))
            let secret = try #require(added.stdout.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
            #expect(secret.count == 64)
            #expect(try await desk.db.count("SELECT count(*) FROM webhook_endpoints WHERE secret = \(secret)") == 1)
            try await desk.comment("held one")
            let listed = try await desk.modctl("webhooks", "list", "--json")
            let endpoints = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]], "\(listed.stdout)")
            #expect(endpoints.first?["pending"] as? Int == 1, "the held comment's event waits for the worker")
            #expect(endpoints.first?["events"] as? [String] == ["comment.held", "account.sanctioned"])
            #expect(try await desk.modctl("webhooks", "add", "ftp://x.test/").code == 2)
            #expect(try await desk.modctl("webhooks", "add", "https://x.test/", "--events", "comment.liked").code == 2)
            #expect(try await desk.modctl("webhooks", "remove", "1").code == 0)
            #expect(try await desk.modctl("webhooks", "remove", "1").code == 3)
            #expect(try await desk.modctl("webhooks", "list").stdout.contains("no webhooks"))
        }
    }

    @Test func sanctionsChangeStandingAndBanCanRejectPendingComments() async throws {
        try await withDesk { desk in
            let held = [try await desk.comment("a"), try await desk.comment("b")]
            let published = try await desk.comment("c", status: "approved", reasons: [])
            #expect(try await desk.modctl("warn", "twitter:r1", "--reason", "tone").code == 0)
            let suspended = try await desk.modctl("suspend", "twitter:r1", "--reason", "repeated insults", "--for", "3d")
            #expect(suspended.code == 0)
            #expect(
                try await desk.db.count(
                    "SELECT count(*) FROM accounts WHERE status = 'suspended' AND suspended_until BETWEEN now() + interval '71 hours' AND now() + interval '73 hours'"
                ) == 1
            )
            let ban = try desk.json(try await desk.modctl("ban", "twitter:r1", "--reason", "threats", "--reject-pending", "--json"))
            #expect(ban["status"] as? String == "banned")
            #expect((ban["rejectedComments"] as? [Int])?.sorted() == held.map { Int($0) })
            for id in held { #expect(try await desk.status(id) == "rejected") }
            #expect(try await desk.db.count("SELECT count(*) FROM comments WHERE reasons = ARRAY['account_banned']") == 2)
            #expect(try await desk.status(published) == "approved", "only held comments are rejected")
            #expect(
                try await desk.db.count("SELECT count(*) FROM moderation_decisions WHERE 'account_banned' = ANY(reasons) AND decided_by = 'kim'")
                    == 2
            )
            #expect(try await desk.modctl("unban", "twitter:r1", "--reason", "appeal granted").code == 0)
            #expect(try await desk.db.count("SELECT count(*) FROM accounts WHERE status = 'active' AND suspended_until IS NULL") == 1)
            #expect(try await desk.db.count("SELECT count(*) FROM account_sanctions") == 4)
            #expect(try await desk.modctl("ban", "twitter:ghost", "--reason", "x").code == 3)
            #expect(try await desk.modctl("suspend", "twitter:r1", "--reason", "x", "--for", "forever").code == 2)
        }
    }

    @Test func articlesCloseAndOpen() async throws {
        try await withDesk { desk in
            let closed = try await desk.modctl("articles", "close", "a-1")
            #expect(closed.code == 0)
            #expect(try await desk.db.count("SELECT count(*) FROM articles WHERE comments_closed_at IS NOT NULL") == 1)
            #expect(try await desk.modctl("articles", "open", "a-1").code == 0)
            #expect(try await desk.db.count("SELECT count(*) FROM articles WHERE comments_closed_at IS NOT NULL") == 0)
            #expect(try await desk.modctl("articles", "close", "missing").code == 3)
            let json = try desk.json(try await desk.modctl("articles", "close", "a-1", "--json"))
            #expect(json["comments"] as? String == "closed")
        }
    }

    @Test func unreachableDatabaseIsOneLineAndExit1() async throws {
        let result = try await runModctl(["queue"], databaseURL: "host=127.0.0.1 port=\(try freePort()) user=nobody dbname=none connect_timeout=2")
        #expect(result.code == 1)
        #expect(result.stderr.hasPrefix("modctl: cannot connect to the database"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }
}
