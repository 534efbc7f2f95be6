public import Foundation
public import PostgresLibPQ
import StandardsPolicy

/// Why a report cannot be made for what was asked.
public struct ReportError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Builds a ``DailyReport`` with aggregate queries: PostgreSQL reads the day's rows, the report receives a few
/// dozen result rows, whatever the volume. Everything is read in one repeatable-read transaction; the day's comments
/// with their decisions are gathered once into a temporary table (dropped at commit) that the sections then read.
public struct ReportBuilder: Sendable {
    public init() {}

    /// `date` as YYYY-MM-DD, `timeZone` an IANA name (Asia/Seoul). Throws ``ReportError`` for either invalid.
    public func build(date: String, timeZone: String, now: Date = Date(), on connection: PostgresConnection) async throws -> DailyReport {
        guard Self.isDate(date) else { throw ReportError("invalid date '\(date)': use YYYY-MM-DD, e.g. 2026-11-28") }
        return try await connection.withTransaction(isolation: .repeatableRead) { connection in
            let known = try await connection.query("SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = \(timeZone))").single()
                .decode(Bool.self, at: 0)
            guard known else { throw ReportError("unknown time zone '\(timeZone)': use an IANA name such as Asia/Seoul") }
            let queries = Queries(date: date, timeZone: timeZone, connection: connection)
            try await queries.gather()
            return try await queries.report(generatedAt: now)
        }
    }

    /// A real calendar date in YYYY-MM-DD form.
    public static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (1...9999).contains(year), (1...12).contains(month)
        else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let first = calendar.date(from: DateComponents(year: year, month: month, day: 1)),
            let days = calendar.range(of: .day, in: .month, for: first)
        else { return false }
        return days.contains(day)
    }
}

/// The report's queries for one day. `day` is the window [start, stop) of that date in the time zone.
private struct Queries {
    let date: String
    let timeZone: String
    let connection: PostgresConnection

    /// The window [start, stop) of the date in the time zone.
    var window: SQLQuery {
        """
        day AS (
            SELECT (\(date)::date::timestamp AT TIME ZONE \(timeZone)) AS start,
                   ((\(date)::date + 1)::timestamp AT TIME ZONE \(timeZone)) AS stop
        )
        """
    }

    /// The first comment id that can have been submitted `daysBefore` days before the day's start (sql/0016), read
    /// before the query that uses it and passed to it as a value: PostgreSQL then leaves the history's older
    /// partitions out of that query's plan.
    func firstID(daysBefore: Int = 0) async throws -> Int64 {
        try await connection.query(
            "SELECT comment_id_floor(((\(date)::date - \(daysBefore)::integer)::timestamp AT TIME ZONE \(timeZone)))"
        ).single().decode(Int64.self)
    }

    /// The window, and `dc`: the day's comments gathered by ``gather()``.
    var day: SQLQuery { "\(window), dc AS (SELECT * FROM report_day)" }

    /// The day's comments with their automatic decision and what moderators did, read once from the big tables, with
    /// what the sections derive from them: whether a moderator overturned the automatic decision (a hold confirmed by a
    /// reject is not overturned), and whether the comment was still held when the day ended.
    func gather() async throws {
        // The day's first and last comment ids: its decisions are then read as one range of comment ids, pruned to the
        // partitions that hold the day, instead of looked up comment by comment.
        let floor = try await firstID()
        let (first, last) = try await connection.query(
            """
            WITH \(window)
            SELECT min(c.id), max(c.id) FROM day, comments c
            WHERE c.submitted_at >= day.start AND c.submitted_at < day.stop AND c.id >= \(floor)
            """
        ).single().decode((Int64?, Int64?).self)
        try await connection.query(
            """
            CREATE TEMPORARY TABLE report_day ON COMMIT DROP AS
            WITH \(window),
            moderator AS (
                SELECT comment_id, (array_agg(outcome ORDER BY decided_at DESC, id DESC))[1] AS outcome, min(decided_at) AS first_at,
                       count(*) AS n
                FROM moderation_decisions WHERE source = 'moderator' AND comment_id BETWEEN \(first) AND \(last)
                GROUP BY comment_id
            )
            SELECT g.*,
                   coalesce(g.moderator IS NOT NULL AND g.moderator <> g.auto AND NOT (g.auto = 'hold' AND g.moderator = 'reject'), false)
                       AS overturned,
                   coalesce(g.auto = 'hold' AND g.auto_at < g.stop AND (g.moderator_first_at IS NULL OR g.moderator_first_at >= g.stop), false)
                       AS held_at_end
            FROM (
                SELECT c.id, c.article_id, c.status, c.submitted_at, c.auth_provider, a.outcome AS auto, a.reasons AS auto_reasons,
                       a.hits, a.decided_at AS auto_at, m.outcome AS moderator, m.first_at AS moderator_first_at,
                       m.n AS moderator_count, day.stop
                FROM day, comments c
                LEFT JOIN moderation_decisions a
                    ON a.comment_id = c.id AND a.source = 'automatic' AND a.comment_id BETWEEN \(first) AND \(last)
                LEFT JOIN moderator m ON m.comment_id = c.id
                WHERE c.submitted_at >= day.start AND c.submitted_at < day.stop AND c.id BETWEEN \(first) AND \(last)
            ) g
            """
        )
        try await connection.query("ANALYZE report_day")
    }

    func report(generatedAt: Date) async throws -> DailyReport {
        var totals = DailyReport.Totals()
        let t = try await connection.query(
            """
            WITH \(day)
            SELECT count(*) AS submitted, count(*) FILTER (WHERE status = 'queued') AS queued,
                   count(*) FILTER (WHERE status = 'approved') AS approved, count(*) FILTER (WHERE status = 'held') AS held,
                   count(*) FILTER (WHERE status = 'rejected') AS rejected, count(*) FILTER (WHERE status = 'removed') AS removed,
                   count(auto) AS automatic, coalesce(sum(moderator_count), 0)::bigint AS moderator,
                   count(*) FILTER (WHERE held_at_end) AS held_at_end,
                   extract(epoch FROM max(least(stop, \(generatedAt)) - submitted_at) FILTER (WHERE held_at_end))::bigint AS oldest_held,
                   count(*) FILTER (WHERE auto = 'reject' AND 'login_required' = ANY(auto_reasons)) AS login_required,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM auto_at - submitted_at) * 1000) AS auto_p50,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM auto_at - submitted_at) * 1000) AS auto_p95,
                   percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM auto_at - submitted_at) * 1000) AS auto_p99,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM moderator_first_at - auto_at))
                       FILTER (WHERE auto = 'hold' AND moderator_first_at IS NOT NULL) AS moderator_p50,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM moderator_first_at - auto_at))
                       FILTER (WHERE auto = 'hold' AND moderator_first_at IS NOT NULL) AS moderator_p95
            FROM dc
            """
        ).single()
        totals.submitted = try t.decode(column: "submitted")
        totals.queued = try t.decode(column: "queued")
        totals.approved = try t.decode(column: "approved")
        totals.held = try t.decode(column: "held")
        totals.rejected = try t.decode(column: "rejected")
        totals.removed = try t.decode(column: "removed")
        totals.automaticDecisions = try t.decode(column: "automatic")
        totals.moderatorDecisions = try t.decode(column: "moderator")
        totals.stillHeldAtEndOfDay = try t.decode(column: "held_at_end")
        totals.oldestHeldAtEndOfDaySeconds = try t.decode(column: "oldest_held")
        let loginRequiredRejections: Int = try t.decode(column: "login_required")
        let speed = DailyReport.Speed(
            automaticP50: try t.decode(column: "auto_p50"),
            automaticP95: try t.decode(column: "auto_p95"),
            automaticP99: try t.decode(column: "auto_p99"),
            moderatorP50: try t.decode(column: "moderator_p50"),
            moderatorP95: try t.decode(column: "moderator_p95")
        )

        var reasons: [DailyReport.ReasonLine] = []
        var rules: [DailyReport.RuleLine] = []
        for row in try await connection.query(
            """
            WITH \(day),
            fired AS (
                SELECT dc.id, dc.overturned, h->>'rule' AS rule, h->>'reason' AS reason
                FROM dc CROSS JOIN LATERAL jsonb_array_elements(dc.hits) h
            )
            SELECT rule, reason, count(*), count(DISTINCT id), count(DISTINCT id) FILTER (WHERE overturned),
                   (array_agg(DISTINCT id ORDER BY id) FILTER (WHERE overturned))[1:\(DailyReport.overturnedExamples)]
            FROM fired
            GROUP BY GROUPING SETS ((rule, reason), (reason))
            ORDER BY count(DISTINCT id) DESC, reason, rule
            """
        ) {
            let v = try row.decode((String?, String, Int, Int, Int, [Int64]?).self)
            if let rule = v.0 {
                rules.append(.init(rule: rule, reason: v.1, hits: v.2, comments: v.3, overturned: v.4, overturnedComments: v.5 ?? []))
            } else {
                reasons.append(.init(reason: v.1, hits: v.2, comments: v.3, overturned: v.4))
            }
        }

        let overturns = try await connection.query(
            """
            WITH \(day)
            SELECT CASE auto WHEN 'approve' THEN 'approved' WHEN 'hold' THEN 'held' ELSE 'rejected' END,
                   CASE WHEN moderator = 'approve' THEN 'approved' WHEN auto = 'approve' THEN 'removed' ELSE 'rejected' END,
                   count(*)
            FROM dc WHERE overturned
            GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2
            """
        ).map { row in
            let v = try row.decode((String, String, Int).self)
            return DailyReport.Overturn(from: v.0, to: v.1, count: v.2)
        }

        let moderators = try await connection.query(
            """
            WITH \(day)
            SELECT decided_by, count(*) FILTER (WHERE outcome = 'approve'), count(*) FILTER (WHERE outcome = 'reject')
            FROM day, moderation_decisions
            WHERE source = 'moderator' AND decided_at >= day.start AND decided_at < day.stop
            GROUP BY decided_by ORDER BY count(*) DESC, decided_by
            """
        ).map { row in
            let v = try row.decode((String, Int, Int).self)
            return DailyReport.ModeratorLine(moderator: v.0, approved: v.1, rejected: v.2)
        }

        let sanctions = try await connection.query(
            """
            WITH \(day)
            SELECT s.kind, a.provider || ':' || a.provider_subject, s.issued_by, s.reason, s.issued_at, s.until
            FROM day, account_sanctions s JOIN accounts a ON a.id = s.account_id
            WHERE s.issued_at >= day.start AND s.issued_at < day.stop
            ORDER BY s.issued_at, s.id
            """
        ).map { row in
            let v = try row.decode((String, String, String, String, Date, Date?).self)
            return DailyReport.SanctionLine(kind: v.0, account: v.1, by: v.2, reason: v.3, issuedAt: v.4, until: v.5)
        }
        let dayEnded = try await connection.query("WITH \(window) SELECT \(generatedAt) >= stop FROM day").single().decode(Bool.self, at: 0)

        func articles(_ order: SQLQuery, having: SQLQuery) async throws -> [DailyReport.ArticleLine] {
            try await connection.query(
                """
                WITH \(day)
                SELECT ar.ref, ar.title, count(*), count(*) FILTER (WHERE dc.status IN ('rejected', 'removed'))
                FROM dc JOIN articles ar ON ar.id = dc.article_id
                GROUP BY ar.id \(having) ORDER BY \(order), ar.ref LIMIT 10
                """
            ).map { row in
                let v = try row.decode((String, String?, Int, Int).self)
                return DailyReport.ArticleLine(ref: v.0, title: v.1, comments: v.2, rejected: v.3)
            }
        }
        let mostCommented = try await articles("count(*) DESC", having: "")
        let mostRejected = try await articles(
            "count(*) FILTER (WHERE dc.status IN ('rejected', 'removed'))::float8 / count(*) DESC, count(*) DESC",
            having: "HAVING count(*) >= 5 AND count(*) FILTER (WHERE dc.status IN ('rejected', 'removed')) > 0"
        )

        let providers = try await connection.query(
            "WITH \(day) SELECT coalesce(auth_provider, 'none'), count(*) FROM dc GROUP BY 1 ORDER BY 2 DESC, 1"
        ).map { row in
            let v = try row.decode((String, Int).self)
            return DailyReport.ProviderLine(provider: v.0, comments: v.1)
        }

        let weekFloor = try await firstID(daysBefore: 7)
        let previous = try await connection.query(
            """
            WITH \(day)
            SELECT count(*), count(*) FILTER (WHERE status = 'approved'), count(*) FILTER (WHERE status = 'held'),
                   count(*) FILTER (WHERE status = 'rejected'), count(*) FILTER (WHERE status = 'removed')
            FROM day, comments c
            WHERE c.submitted_at >= ((\(date)::date - 7)::timestamp AT TIME ZONE \(timeZone)) AND c.submitted_at < day.start
              AND c.id >= \(weekFloor)
            """
        ).single().decode((Int, Int, Int, Int, Int).self)
        let trend: [DailyReport.TrendLine] = [
            .init(figure: "submitted", value: Double(totals.submitted), previous7DayAverage: Double(previous.0) / 7),
            .init(figure: "approved", value: Double(totals.approved), previous7DayAverage: Double(previous.1) / 7),
            .init(figure: "held", value: Double(totals.held), previous7DayAverage: Double(previous.2) / 7),
            .init(figure: "rejected", value: Double(totals.rejected), previous7DayAverage: Double(previous.3) / 7),
            .init(figure: "removed", value: Double(totals.removed), previous7DayAverage: Double(previous.4) / 7),
        ]

        let versions = try await connection.query(
            """
            WITH \(day)
            SELECT p.id, p.version, p.activated_at, p.deactivated_at
            FROM day, policy_versions p
            WHERE p.activated_at < day.stop AND (p.deactivated_at IS NULL OR p.deactivated_at >= day.start)
            ORDER BY p.activated_at, p.id
            """
        ).map { row in
            let v = try row.decode((Int64, String, Date, Date?).self)
            return DailyReport.PolicyVersionLine(id: v.0, version: v.1, activatedAt: v.2, deactivatedAt: v.3)
        }

        var hourly = (0..<24).map { DailyReport.HourLine(hour: $0, approved: 0, held: 0, rejected: 0, other: 0) }
        for row in try await connection.query(
            """
            WITH \(day)
            SELECT extract(hour FROM submitted_at AT TIME ZONE \(timeZone))::int, count(*) FILTER (WHERE status = 'approved'),
                   count(*) FILTER (WHERE status = 'held'), count(*) FILTER (WHERE status = 'rejected'),
                   count(*) FILTER (WHERE status IN ('queued', 'removed'))
            FROM dc GROUP BY 1
            """
        ) {
            let v = try row.decode((Int, Int, Int, Int, Int).self)
            if (0..<24).contains(v.0) { hourly[v.0] = .init(hour: v.0, approved: v.1, held: v.2, rejected: v.3, other: v.4) }
        }

        return DailyReport(
            date: date,
            timeZone: timeZone,
            generatedAt: generatedAt,
            totals: totals,
            reasons: reasons,
            rules: rules,
            overturns: overturns,
            speed: speed,
            moderators: moderators,
            sanctions: sanctions,
            mostCommented: mostCommented,
            mostRejected: mostRejected,
            providers: providers,
            loginRequiredRejections: loginRequiredRejections,
            trend: trend,
            policyVersions: versions,
            hourly: hourly,
            models: try await models(generatedAt: generatedAt),
            flags: try await flags(),
            refused: try await refused(),
            dayEnded: dayEnded
        )
    }

    /// Posts refused before they were stored during the day, by reason.
    func refused() async throws -> [DailyReport.RefusedLine] {
        try await connection.query(
            """
            WITH \(window)
            SELECT r.reason, sum(r.posts)::bigint AS posts
            FROM day, refused_posts r
            WHERE r.minute >= day.start AND r.minute < day.stop
            GROUP BY r.reason ORDER BY posts DESC, r.reason
            """
        ).map { row in DailyReport.RefusedLine(reason: try row.decode(column: "reason"), posts: try row.decode(column: "posts")) }
    }

    /// The day's flags (read along `comment_flags_flagged_at`) and the comments readers hid that day.
    func flags() async throws -> DailyReport.Flags {
        var flags = DailyReport.Flags()
        let rows = try await connection.query(
            """
            WITH \(window)
            SELECT f.reason, count(*), count(f.resolved_at), count(*) FILTER (WHERE f.upheld),
                   count(DISTINCT f.comment_id)
            FROM day, comment_flags f
            WHERE f.flagged_at >= day.start AND f.flagged_at < day.stop
            GROUP BY ROLLUP (f.reason)
            ORDER BY f.reason NULLS FIRST
            """
        )
        for row in rows {
            let v = try row.decode((String?, Int, Int, Int, Int).self)
            guard let reason = v.0 else {
                (flags.received, flags.resolved, flags.comments) = (v.1, v.2, v.4)
                continue
            }
            flags.byReason.append(.init(reason: reason, received: v.1, resolved: v.2, upheld: v.3))
        }
        flags.byReason.sort { ($0.received, $1.reason) > ($1.received, $0.reason) }
        (flags.hidden, flags.medianSecondsToResolve) = try await connection.query(
            """
            WITH \(window)
            SELECT (SELECT count(*) FROM moderation_decisions d
                    WHERE d.source = 'readers' AND d.decided_at >= day.start AND d.decided_at < day.stop),
                   (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM f.resolved_at - f.flagged_at))
                    FROM comment_flags f
                    WHERE f.flagged_at >= day.start AND f.flagged_at < day.stop AND f.resolved_at IS NOT NULL)
            FROM day
            """
        ).single().decode((Int, Double?).self)
        return flags
    }

    /// The active policy's `model` rules, each with the moderator labels gathered since its model was trained, as of
    /// the day's end (or `generatedAt`). Carried on from the previous day's stored report when it counted to this day's
    /// start for the same rule and training cut-off, so the report reads one day of moderator decisions, not all of
    /// them (at 10 million comments of history the full count was half the report's time, and it grows with the site).
    func models(generatedAt: Date) async throws -> [DailyReport.ModelLine] {
        guard let active = try await PolicyVersions().active(on: connection) else { return [] }
        // A stored version was valid when it was activated; one this build cannot read has no model to report on.
        guard let policy = try? CompiledPolicy(bundle: active.bundle) else { return [] }
        let (start, asOf) = try await connection.query("WITH \(window) SELECT start, least(stop, \(generatedAt)) FROM day").single()
            .decode((Date, Date).self)
        let previousText = try await connection.query(
            "SELECT summary->'models' FROM policy_reports WHERE report_date = \(date)::date - 1 AND summary ? 'models'"
        ).first?.decode(String?.self, at: 0)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let previous = previousText.flatMap { try? decoder.decode([DailyReport.ModelLine].self, from: Data($0.utf8)) } ?? []
        var lines: [DailyReport.ModelLine] = []
        for rule in policy.document.rules {
            guard let model = rule.kind as? ModelRule else { continue }
            let until = model.model.provenance["labels_until"].flatMap { try? Date($0, strategy: .iso8601) }
            let tally: ModeratorLabels.Tally
            if let carried = previous.first(where: { $0.rule == rule.id && $0.labelsUntil == until && $0.labelsAsOf == start }) {
                tally =
                    ModeratorLabels.Tally(labels: carried.labelsSince, overturnedModelHolds: carried.overturnedHolds)
                    + (try await ModeratorLabels.change(since: until, modelRules: [rule.id], from: start, to: asOf, on: connection))
            } else {
                tally = try await ModeratorLabels.tally(since: until, modelRules: [rule.id], asOf: asOf, on: connection)
            }
            lines.append(
                .init(
                    rule: rule.id,
                    trainedFrom: model.model.provenance["trained_from"] ?? "unknown",
                    labelsUntil: until,
                    labelsSince: tally.labels,
                    overturnedHolds: tally.overturnedModelHolds,
                    labelsAsOf: asOf
                )
            )
        }
        return lines
    }
}

/// Stored reports (`policy_reports`): one per date, with its renderings.
public struct PolicyReportStore: Sendable {
    public init() {}

    /// Stores `report` with its renderings, replacing an earlier one for the same date.
    public func save(
        _ report: DailyReport,
        json: String,
        markdown: String,
        html: String,
        csv: String,
        on connection: PostgresConnection
    ) async throws {
        let summary = PostgresJSON(text: json)
        try await connection.query(
            """
            INSERT INTO policy_reports (report_date, time_zone, generated_at, summary, markdown, html, csv)
            VALUES (\(report.date)::date, \(report.timeZone), \(report.generatedAt), \(summary)::jsonb, \(markdown), \(html), \(csv))
            ON CONFLICT (report_date) DO UPDATE SET
                time_zone = EXCLUDED.time_zone, generated_at = EXCLUDED.generated_at, summary = EXCLUDED.summary,
                markdown = EXCLUDED.markdown, html = EXCLUDED.html, csv = EXCLUDED.csv
            """
        )
    }
}
