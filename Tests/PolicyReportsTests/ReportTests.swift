import CommentStore
import Foundation
import PolicyReports
import PostgresLibPQ
import PostgresTestSupport
import Testing

/// One seeded comment: when (minutes after midnight of 2026-11-01 in Seoul; negative is the day before), who, what
/// the worker decided, and what a moderator did afterwards.
struct Seeded {
    var minute: Int
    var article: String
    var provider: String?
    var subject: String
    var auto: String  // approve, hold, reject
    var rules: [(rule: String, reason: String)]
    var decisionMilliseconds: Int
    /// A moderator's decision, `seconds` after the automatic one.
    var moderator: (outcome: String, by: String, seconds: Int)?

    /// The status the comment has after the decisions, as the worker and modctl set it.
    var status: String {
        guard let moderator else { return auto == "approve" ? "approved" : auto == "hold" ? "held" : "rejected" }
        if moderator.outcome == "approve" { return "approved" }
        return auto == "approve" ? "removed" : "rejected"
    }

    var overturned: Bool {
        guard let moderator else { return false }
        return moderator.outcome != auto && !(auto == "hold" && moderator.outcome == "reject")
    }
}

enum Fixture {
    static let date = "2026-11-01"
    /// 2026-11-01 00:00 in Asia/Seoul (UTC+9).
    static let midnight = Date(timeIntervalSince1970: 1_793_458_800)
    static let generatedAt = Date(timeIntervalSince1970: 1_793_577_600)

    static let day: [Seeded] = [
        Seeded(minute: 5, article: "a-1", provider: "twitter", subject: "t1", auto: "approve", rules: [], decisionMilliseconds: 40, moderator: nil),
        Seeded(
            minute: 65,
            article: "a-1",
            provider: "twitter",
            subject: "t2",
            auto: "hold",
            rules: [("links", "link")],
            decisionMilliseconds: 80,
            moderator: ("approve", "kim", 600)
        ),
        Seeded(
            minute: 70,
            article: "a-1",
            provider: "facebook",
            subject: "f1",
            auto: "hold",
            rules: [("insults", "insult"), ("links", "link")],
            decisionMilliseconds: 60,
            moderator: ("reject", "lee", 1200)
        ),
        Seeded(
            minute: 125,
            article: "a-2",
            provider: "twitter",
            subject: "t1",
            auto: "reject",
            rules: [("profanity-en", "profanity")],
            decisionMilliseconds: 30,
            moderator: nil
        ),
        Seeded(
            minute: 130,
            article: "a-2",
            provider: nil,
            subject: "",
            auto: "reject",
            rules: [("login-required", "login_required")],
            decisionMilliseconds: 20,
            moderator: nil
        ),
        Seeded(
            minute: 600,
            article: "a-2",
            provider: "facebook",
            subject: "f2",
            auto: "approve",
            rules: [],
            decisionMilliseconds: 50,
            moderator: ("reject", "kim", 3600)
        ),
        Seeded(
            minute: 700,
            article: "a-2",
            provider: "twitter",
            subject: "t3",
            auto: "hold",
            rules: [("new-commenter", "new_commenter")],
            decisionMilliseconds: 70,
            moderator: nil
        ),
        Seeded(
            minute: 1430,
            article: "a-2",
            provider: "twitter",
            subject: "t4",
            auto: "hold",
            rules: [("links", "link")],
            decisionMilliseconds: 90,
            moderator: ("approve", "kim", 7200)
        ),
        Seeded(
            minute: 800,
            article: "a-2",
            provider: "twitter",
            subject: "t5",
            auto: "reject",
            rules: [("profanity-en", "profanity")],
            decisionMilliseconds: 35,
            moderator: ("approve", "lee", 300)
        ),
    ]
    /// Outside the day: the evening before (in the trend) and the day after (in nothing).
    static let outside: [Seeded] = [
        Seeded(minute: -30, article: "a-1", provider: "twitter", subject: "t1", auto: "approve", rules: [], decisionMilliseconds: 40, moderator: nil),
        Seeded(
            minute: -3000,
            article: "a-1",
            provider: "twitter",
            subject: "t1",
            auto: "reject",
            rules: [("spam", "spam")],
            decisionMilliseconds: 40,
            moderator: nil
        ),
        Seeded(
            minute: 1445,
            article: "a-1",
            provider: "twitter",
            subject: "t1",
            auto: "approve",
            rules: [],
            decisionMilliseconds: 40,
            moderator: nil
        ),
    ]

    static func seed(_ db: PostgresClient, comments: [Seeded] = day + outside, sanction: Bool = true) async throws {
        try await db.query("SELECT register_article('a-1', NULL, 'Budget vote', NULL), register_article('a-2', NULL, 'Derby match', NULL)")
        try await db.query("UPDATE policy_versions SET activated_at = \(midnight.addingTimeInterval(-86_400 * 3))")
        for comment in comments {
            let at = midnight.addingTimeInterval(Double(comment.minute * 60))
            let id = try await db.query(
                """
                SELECT submit_comment(\(comment.article), \(comment.provider), \(comment.provider == nil ? nil : comment.subject),
                                      'Reader', 'text', NULL)
                """
            ).single().decode(Int64.self, at: 0)
            let hits = try PostgresJSON(
                encoding: comment.rules.map { ["rule": $0.rule, "reason": $0.reason, "category": "x", "action": comment.auto] }
            )
            let decided = at.addingTimeInterval(Double(comment.decisionMilliseconds) / 1000)
            try await db.query(
                """
                WITH d AS (
                    INSERT INTO moderation_decisions (comment_id, source, outcome, reasons, hits, decided_by, decided_at)
                    VALUES (\(id), 'automatic', \(comment.auto), \(comment.rules.map(\.reason))::text[], \(hits)::jsonb, 'worker', \(decided))
                )
                UPDATE comments SET submitted_at = \(at), status = \(comment.status) WHERE id = \(id)
                """
            )
            if let moderator = comment.moderator {
                try await db.query(
                    """
                    INSERT INTO moderation_decisions (comment_id, source, outcome, reasons, decided_by, decided_at)
                    VALUES (\(id), 'moderator', \(moderator.outcome), \(moderator.outcome == "reject" ? ["spam"] : [])::text[], \(moderator.by),
                            \(decided.addingTimeInterval(Double(moderator.seconds))))
                    """
                )
            }
        }
        guard sanction else { return }
        try await db.query(
            """
            INSERT INTO account_sanctions (account_id, kind, reason, issued_by, issued_at)
            SELECT id, 'warn', 'tone', 'kim', \(midnight.addingTimeInterval(3600 * 12)) FROM accounts WHERE provider_subject = 't5'
            """
        )
    }
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    let rank = p * Double(sorted.count - 1)
    let low = Int(rank.rounded(.down))
    let high = Int(rank.rounded(.up))
    return sorted[low] + (sorted[high] - sorted[low]) * (rank - Double(low))
}

@Suite("Nightly policy report", .timeLimit(.minutes(5)))
struct ReportTests {
    static func build(_ db: PostgresClient, date: String = Fixture.date, timeZone: String = "Asia/Seoul") async throws -> DailyReport {
        try await db.withConnection { try await ReportBuilder().build(date: date, timeZone: timeZone, now: Fixture.generatedAt, on: $0) }
    }

    @Test func everySectionMatchesFiguresComputedFromTheSeed() async throws {
        let report = try await withMigratedDatabase(label: "report") { db in
            try await Fixture.seed(db)
            return try await Self.build(db)
        }
        try Self.check(report)
    }

    static func check(_ report: DailyReport) throws {
        do {
            let day = Fixture.day
            func count(_ status: String) -> Int { day.filter { $0.status == status }.count }
            #expect(report.totals.submitted == day.count)
            #expect(report.totals.approved == count("approved"))
            #expect(report.totals.held == count("held"))
            #expect(report.totals.rejected == count("rejected"))
            #expect(report.totals.removed == count("removed"))
            #expect(report.totals.automaticDecisions == day.count)
            #expect(report.totals.moderatorDecisions == day.filter { $0.moderator != nil }.count)
            // Held at midnight at the end of the day: held automatically and not decided by a moderator before then.
            let end = Fixture.midnight.addingTimeInterval(86_400)
            let heldAtEnd = day.filter { comment in
                guard comment.auto == "hold" else { return false }
                let decided = Fixture.midnight.addingTimeInterval(Double(comment.minute * 60) + Double(comment.decisionMilliseconds) / 1000)
                return comment.moderator.map { decided.addingTimeInterval(Double($0.seconds)) >= end } ?? true
            }
            #expect(report.totals.stillHeldAtEndOfDay == heldAtEnd.count)
            let oldest = heldAtEnd.map { 86_400 - $0.minute * 60 }.max()
            #expect(report.totals.oldestHeldAtEndOfDaySeconds == oldest)

            for reason in Set(day.flatMap { $0.rules.map(\.reason) }) {
                let fired = day.filter { $0.rules.contains { $0.reason == reason } }
                let line = try #require(report.reasons.first { $0.reason == reason })
                #expect(line.comments == fired.count, "\(reason)")
                #expect(line.hits == fired.map { $0.rules.filter { $0.reason == reason }.count }.reduce(0, +))
                #expect(line.overturned == fired.filter(\.overturned).count, "\(reason)")
            }
            #expect(report.reasons.count == Set(day.flatMap { $0.rules.map(\.reason) }).count)
            for rule in Set(day.flatMap { $0.rules.map(\.rule) }) {
                let fired = day.filter { $0.rules.contains { $0.rule == rule } }
                let line = try #require(report.rules.first { $0.rule == rule })
                #expect(line.comments == fired.count)
                #expect(line.overturned == fired.filter(\.overturned).count, "\(rule)")
            }
            var transitions: [String: Int] = [:]
            for comment in day where comment.overturned {
                let from = comment.auto == "approve" ? "approved" : comment.auto == "hold" ? "held" : "rejected"
                transitions["\(from) → \(comment.status)", default: 0] += 1
            }
            #expect(Dictionary(uniqueKeysWithValues: report.overturns.map { ("\($0.from) → \($0.to)", $0.count) }) == transitions)

            let latencies = day.map { Double($0.decisionMilliseconds) }
            #expect(abs((report.speed.automaticP50 ?? 0) - percentile(latencies, 0.5)) < 0.01)
            #expect(abs((report.speed.automaticP95 ?? 0) - percentile(latencies, 0.95)) < 0.01)
            #expect(abs((report.speed.automaticP99 ?? 0) - percentile(latencies, 0.99)) < 0.01)
            let reviews = day.filter { $0.auto == "hold" }.compactMap { $0.moderator.map { Double($0.seconds) } }
            #expect(abs((report.speed.moderatorP50 ?? 0) - percentile(reviews, 0.5)) < 0.01)
            #expect(abs((report.speed.moderatorP95 ?? 0) - percentile(reviews, 0.95)) < 0.01)

            var perModerator: [String: (Int, Int)] = [:]
            for comment in day + Fixture.outside {
                guard let moderator = comment.moderator else { continue }
                let at = Fixture.midnight.addingTimeInterval(
                    Double(comment.minute * 60) + Double(comment.decisionMilliseconds) / 1000 + Double(moderator.seconds)
                )
                guard at >= Fixture.midnight, at < end else { continue }
                var entry = perModerator[moderator.by, default: (0, 0)]
                if moderator.outcome == "approve" { entry.0 += 1 } else { entry.1 += 1 }
                perModerator[moderator.by] = entry
            }
            #expect(report.moderators.count == perModerator.count)
            for line in report.moderators {
                #expect(perModerator[line.moderator].map { $0.0 == line.approved && $0.1 == line.rejected } == true, "\(line)")
            }
            #expect(report.sanctions.map { [$0.kind, $0.account, $0.by, $0.reason] } == [["warn", "twitter:t5", "kim", "tone"]])

            let perArticle = Dictionary(grouping: day, by: \.article)
            #expect(report.mostCommented.map(\.ref) == perArticle.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }.map(\.key))
            for line in report.mostCommented {
                #expect(line.comments == perArticle[line.ref]?.count)
                #expect(line.rejected == perArticle[line.ref]?.filter { ["rejected", "removed"].contains($0.status) }.count)
            }
            #expect(report.mostRejected.map(\.ref) == ["a-2"], "a-1 has fewer than 5 comments")
            let providers = Dictionary(grouping: day, by: { $0.provider ?? "none" }).mapValues(\.count)
            #expect(Dictionary(uniqueKeysWithValues: report.providers.map { ($0.provider, $0.comments) }) == providers)
            #expect(report.loginRequiredRejections == day.filter { $0.auto == "reject" && $0.rules.contains { $0.reason == "login_required" } }.count)

            let previous = Fixture.outside.filter { $0.minute < 0 && $0.minute >= -7 * 1440 }
            let submittedTrend = try #require(report.trend.first { $0.figure == "submitted" })
            #expect(submittedTrend.value == Double(day.count))
            #expect(abs(submittedTrend.previous7DayAverage - Double(previous.count) / 7) < 1e-9)
            #expect(report.policyVersions.count == 1)
            for hour in 0..<24 {
                let inHour = day.filter { $0.minute / 60 == hour }
                let line = report.hourly[hour]
                #expect(line.approved + line.held + line.rejected + line.other == inHour.count, "hour \(hour)")
                #expect(line.held == inHour.filter { $0.status == "held" }.count)
            }
        }
    }

    /// Markdown and CSV are compared with files in Golden/ (UPDATE_GOLDEN=1 rewrites them after a deliberate change).
    @Test func markdownAndCSVMatchTheGoldenFiles() async throws {
        try await withMigratedDatabase(label: "report-golden") { db in
            try await Fixture.seed(db)
            let report = try await Self.build(db)
            let folder = TestPostgres.repositoryRoot.appendingPathComponent("Tests/PolicyReportsTests/Golden")
            for (name, text) in [("policy-report-2026-11-01.md", report.markdown), ("policy-report-2026-11-01.csv", report.csv)] {
                let path = folder.appendingPathComponent(name).path
                if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" { try text.write(toFile: path, atomically: true, encoding: .utf8) }
                let golden = try String(contentsOfFile: path, encoding: .utf8)
                #expect(text == golden, "\(name) differs from the golden file; rerun with UPDATE_GOLDEN=1 if the change is intended")
            }
        }
    }

    /// The default policy's learned model, and the moderators' approve/reject decisions since it was trained (all of
    /// them: it was trained from a file): the next training data, with the model holds they overturned.
    @Test func theReportCountsWhatTheModeratorsTaughtSinceTheModelWasTrained() async throws {
        let model = [("abuse-model", "abusive")]
        let comments = [
            Seeded(
                minute: 10,
                article: "a-1",
                provider: "twitter",
                subject: "m1",
                auto: "hold",
                rules: model,
                decisionMilliseconds: 50,
                moderator: ("approve", "kim", 60)
            ),
            Seeded(
                minute: 20,
                article: "a-1",
                provider: "twitter",
                subject: "m2",
                auto: "hold",
                rules: model,
                decisionMilliseconds: 50,
                moderator: ("reject", "kim", 60)
            ),
            Seeded(
                minute: 30,
                article: "a-1",
                provider: "twitter",
                subject: "m3",
                auto: "hold",
                rules: [("insults", "insult")],
                decisionMilliseconds: 50,
                moderator: ("approve", "lee", 60)
            ),
            Seeded(
                minute: 40,
                article: "a-1",
                provider: "twitter",
                subject: "m4",
                auto: "hold",
                rules: model,
                decisionMilliseconds: 50,
                moderator: nil
            ),
            Seeded(
                minute: 50,
                article: "a-1",
                provider: "twitter",
                subject: "m5",
                auto: "approve",
                rules: [],
                decisionMilliseconds: 50,
                moderator: nil
            ),
        ]
        try await withMigratedDatabase(label: "report-models") { db in
            try await Fixture.seed(db, comments: comments, sanction: false)
            let report = try await Self.build(db)
            let line = try #require(report.models?.first)
            #expect(report.models?.count == 1)
            #expect(line.rule == "abuse-model" && line.trainedFrom == "train.tsv" && line.labelsUntil == nil)
            #expect(line.labelsSince == 3, "three comments approved or rejected by a moderator")
            #expect(line.overturnedHolds == 1, "one model hold approved")
            #expect(report.markdown.contains("| abuse-model | train.tsv | – | 3 | 1 |"), "\(report.markdown)")
            // A model trained from the database up to a moment counts only what came after it.
            let afterFirst = Fixture.midnight.addingTimeInterval(15 * 60)
            try await db.withConnection { connection in
                let later = try await ModeratorLabels.tally(since: afterFirst, modelRules: ["abuse-model"], on: connection)
                #expect(later == ModeratorLabels.Tally(labels: 2, overturnedModelHolds: 0))
            }

            // The next day's report carries the counts on from the stored one, reading only that day's decisions: a
            // moderator approves m4 (a model hold overturned) and changes their mind on m1 (approved, now rejected).
            try await db.withConnection { connection in
                try await report.save(on: connection)
                for (subject, outcome, hour) in [("m4", "approve", 9), ("m1", "reject", 10)] {
                    try await connection.query(
                        """
                        INSERT INTO moderation_decisions (comment_id, source, outcome, reasons, decided_by, decided_at)
                        SELECT c.id, 'moderator', \(outcome), '{}', 'kim', \(Fixture.midnight.addingTimeInterval(Double(24 + hour) * 3600))
                        FROM comments c JOIN accounts a ON a.id = c.account_id WHERE a.provider_subject = \(subject)
                        """
                    )
                }
            }
            let nextDay = "2026-11-02"
            let nextNow = Fixture.generatedAt.addingTimeInterval(86_400)
            func next() async throws -> DailyReport.ModelLine {
                try #require(
                    try await db.withConnection { try await ReportBuilder().build(date: nextDay, timeZone: "Asia/Seoul", now: nextNow, on: $0) }
                        .models?.first
                )
            }
            let carried = try await next()
            #expect(carried.labelsSince == 4 && carried.overturnedHolds == 1, "\(carried)")
            #expect(carried.labelsAsOf == Fixture.midnight.addingTimeInterval(2 * 86_400))
            // It was carried, not counted again: a stored figure moved by a hundred moves the next day's by as much.
            try await db.query(
                "UPDATE policy_reports SET summary = jsonb_set(summary, '{models,0,labelsSince}', '103') WHERE report_date = \(Fixture.date)::date"
            )
            #expect(try await next().labelsSince == 104)
            // Without a stored day before (or one that counted to another moment), everything is counted.
            try await db.query("UPDATE policy_reports SET summary = jsonb_set(summary, '{models,0,labelsAsOf}', '\"2026-11-01T00:00:00Z\"')")
            #expect(try await next().labelsSince == 4)
            try await db.query("DELETE FROM policy_reports")
            #expect(try await next() == carried)
        }
    }

    /// Flags of the day by reason, the comments they hid, and how fast and how often moderators upheld them; flags
    /// of another day are left out.
    @Test func theReportCountsTheDaysFlagsAndWhatBecameOfThem() async throws {
        try await withMigratedDatabase(label: "report-flags") { db in
            try await Fixture.seed(db)
            let ids = try await db.query("SELECT id FROM comments WHERE status = 'approved' ORDER BY id").map { try $0.decode(Int64.self, at: 0) }
            let (first, second) = (ids[0], ids[1])
            func at(_ minute: Int) -> Date { Fixture.midnight.addingTimeInterval(Double(minute * 60)) }
            let removal = try await db.query(
                """
                INSERT INTO moderation_decisions (comment_id, source, outcome, reasons, decided_by, decided_at)
                VALUES (\(first), 'moderator', 'reject', '{insult}', 'kim', \(at(100))) RETURNING id
                """
            ).single().decode(Int64.self, at: 0)
            let keep = try await db.query(
                """
                INSERT INTO moderation_decisions (comment_id, source, outcome, reasons, decided_by, decided_at)
                VALUES (\(second), 'moderator', 'approve', '{}', 'kim', \(at(400))) RETURNING id
                """
            ).single().decode(Int64.self, at: 0)
            try await db.query(
                "INSERT INTO moderation_decisions (comment_id, source, outcome, reasons, decided_by, decided_at) VALUES (\(first), 'readers', 'hold', '{reader_flags}', 'reader-flags', \(at(40)))"
            )
            let seeded: [(comment: Int64, reason: String, minute: Int, resolvedBy: Int64?)] = [
                (first, "abusive", 10, removal), (first, "abusive", 20, removal), (first, "spam", 40, removal),
                (second, "abusive", 100, keep), (second, "other", 300, nil), (second, "spam", 2000, nil),
            ]
            for (index, flag) in seeded.enumerated() {
                let account = try await db.query(
                    "INSERT INTO accounts (provider, provider_subject) VALUES ('twitter', \("flagger-\(index)")) RETURNING id"
                ).single().decode(Int64.self, at: 0)
                let resolvedAt: Date? = flag.3 == nil ? nil : flag.3 == removal ? at(100) : at(400)
                try await db.query(
                    """
                    INSERT INTO comment_flags (comment_id, account_id, reason, flagged_at, resolved_by, resolved_at, upheld)
                    VALUES (\(flag.0), \(account), \(flag.1), \(at(flag.2)), \(flag.3), \(resolvedAt), \(flag.3.map { $0 == removal }))
                    """
                )
            }
            let flags = try #require(try await Self.build(db).flags)
            #expect(flags.received == 5, "the flag of the next day is left out")
            #expect(flags.comments == 2)
            #expect(flags.hidden == 1)
            #expect(flags.resolved == 4)
            // Minutes to resolution: 90, 80, 60 (upheld) and 300 (kept): the median is 85 minutes.
            #expect(abs((flags.medianSecondsToResolve ?? 0) - 85 * 60) < 0.001)
            let lines = flags.byReason.map { "\($0.reason) \($0.received) \($0.resolved) \($0.upheld)" }
            #expect(lines == ["abusive 3 3 2", "other 1 0 0", "spam 1 1 1"])
            let markdown = try await Self.build(db).markdown
            #expect(markdown.contains("5 flags on 2 comments; 1 comments hidden by readers' flags; 4 flags resolved."), "\(markdown)")
            #expect(markdown.contains("| abusive | 3 | 3 | 2 | 67 % |"))
        }
    }

    @Test func aDayWithoutCommentsIsAReportOfZerosAndHoldsNoText() async throws {
        try await withMigratedDatabase(label: "report-empty") { db in
            try await Fixture.seed(db)
            let report = try await Self.build(db, date: "2026-06-15")
            let t = report.totals
            let figures: [Int] = [
                t.submitted, t.approved, t.held, t.rejected, t.removed, t.automaticDecisions, t.moderatorDecisions, t.stillHeldAtEndOfDay,
            ]
            #expect(figures.allSatisfy { $0 == 0 }, "\(figures)")
            #expect(t.oldestHeldAtEndOfDaySeconds == nil)
            #expect(report.reasons.isEmpty && report.rules.isEmpty && report.mostCommented.isEmpty)
            #expect(report.hourly.count == 24)
            #expect(report.speed.automaticP50 == nil)
            let all = try await Self.build(db)
            #expect(!all.markdown.contains("text"), "no comment text in a report")
            #expect(!(try all.json()).contains("Reader"), "no author names outside sanctions")
        }
    }

    /// Run during the day: the held figure is "so far" and its age is measured now, not at a midnight still to come;
    /// a suspension shows when it was issued, until when it runs and for how long, in the report's time zone.
    @Test func aDayInProgressSaysSoAndSanctionsShowTheirTimeAndLength() async throws {
        try await withMigratedDatabase(label: "report-today") { db in
            try await Fixture.seed(db)
            try await db.query(
                """
                INSERT INTO account_sanctions (account_id, kind, reason, issued_by, issued_at, until)
                SELECT id, 'suspend', 'abuse', 'lee', \(Fixture.midnight.addingTimeInterval(3600 * 13)),
                       \(Fixture.midnight.addingTimeInterval(3600 * 13 + 3 * 86_400))
                FROM accounts WHERE provider_subject = 't5'
                """
            )
            try await db.query("UPDATE articles SET title = '<script>x</script> & co' WHERE ref = 'a-2'")
            let noon = Fixture.midnight.addingTimeInterval(3600 * 20)
            let today = try await db.withConnection {
                try await ReportBuilder().build(date: Fixture.date, timeZone: "Asia/Seoul", now: noon, on: $0)
            }
            #expect(today.dayEnded == false)
            #expect(today.markdown.contains("| held so far (the day has not ended) |"), "\(today.markdown)")
            #expect(today.markdown.contains("Generated 2026-11-01 20:00 (Asia/Seoul), before the day ended."))
            #expect((today.totals.oldestHeldAtEndOfDaySeconds ?? .max) <= 20 * 3600, "measured at the report's time")
            #expect(today.markdown.contains("| 2026-11-01 13:00 | suspend | 2026-11-04 13:00 (3.0 days) | twitter:t5 | lee | abuse |"))
            #expect(today.html.contains("held so far (the day has not ended)"))
            // The template escapes every text it is given.
            #expect(today.html.contains("<td>&lt;script&gt;x&lt;/script&gt; &amp; co</td>") && !today.html.contains("<script>x"))
            let after = try await Self.build(db)
            #expect(after.dayEnded == true)
            #expect(after.markdown.contains("| still held at the end of the day |"))
        }
    }

    /// Posts refused before they were stored count on the day of their minute in the report's zone, by reason.
    @Test func theReportCountsThePostsRefusedBeforeStoring() async throws {
        try await withMigratedDatabase(label: "report-refused") { db in
            try await Fixture.seed(db)
            let before = try await Self.build(db)
            #expect(before.refused == [] && before.markdown.contains("No post was refused before it was stored."))
            try await db.withConnection { connection in
                let store = RefusedPosts()
                try await store.record(["too_long": 3, "login_required": 1], at: Fixture.midnight.addingTimeInterval(60), on: connection)
                try await store.record(["too_long": 2], at: Fixture.midnight.addingTimeInterval(86_340), on: connection)
                try await store.record(["too_long": 50], at: Fixture.midnight.addingTimeInterval(-60), on: connection)  // the day before
                try await store.record(["empty": 7], at: Fixture.midnight.addingTimeInterval(86_400), on: connection)  // the day after
            }
            let report = try await Self.build(db)
            let expected: [DailyReport.RefusedLine] = [.init(reason: "too_long", posts: 5), .init(reason: "login_required", posts: 1)]
            #expect(report.refused == expected)
            #expect(report.markdown.contains("| over the length limit (too_long) | 5 |"), "\(report.markdown)")
            #expect(report.markdown.contains("6 posts were refused before they were stored"))
            #expect(report.html.contains("6 posts were refused before they were stored"))
        }
    }

    @Test func invalidDatesAndTimeZonesAreRefused() async throws {
        try await withMigratedDatabase(label: "report-invalid") { db in
            await #expect(throws: ReportError.self) { try await Self.build(db, date: "2026-02-30") }
            await #expect(throws: ReportError.self) { try await Self.build(db, date: "yesterday") }
            await #expect(throws: ReportError.self) { try await Self.build(db, timeZone: "Mars/Olympus_Mons") }
        }
    }

    @Test func theTimeZoneDecidesTheDay() async throws {
        try await withMigratedDatabase(label: "report-tz") { db in
            try await Fixture.seed(db)
            // In UTC, 2026-11-01 starts 9 hours later than in Seoul: the Seoul day's first 9 hours fall on Oct 31.
            let utc = try await Self.build(db, timeZone: "UTC")
            let utcMidnight = Fixture.midnight.addingTimeInterval(9 * 3600)
            let expected = (Fixture.day + Fixture.outside).filter {
                let at = Fixture.midnight.addingTimeInterval(Double($0.minute * 60))
                return at >= utcMidnight && at < utcMidnight.addingTimeInterval(86_400)
            }
            #expect(utc.totals.submitted == expected.count)
        }
    }
}
