public import CommentStore
import Foundation
import StandardsPolicy

extension DailyReport {
    /// Human words for the figures, shared by the Markdown and HTML renderers.
    static func percent(_ part: Int, of whole: Int) -> String {
        whole == 0 ? "–" : String(format: "%.1f %%", 100 * Double(part) / Double(whole))
    }

    static func number(_ value: Double?, digits: Int = 0) -> String {
        guard let value else { return "–" }
        return String(format: "%.\(digits)f", value)
    }

    static func duration(_ seconds: Int?) -> String {
        guard let seconds else { return "–" }
        if seconds < 60 { return "\(seconds) s" }
        if seconds < 3600 { return "\(seconds / 60) min" }
        if seconds < 2 * 86_400 { return String(format: "%.1f h", Double(seconds) / 3600) }
        return String(format: "%.1f days", Double(seconds) / 86_400)
    }

    /// Below this many comments a rate is an anecdote, not a measure: such rates say what they rest on.
    static let fewComments = 20

    static func rate(_ part: Int, of whole: Int) -> String {
        guard whole > 0 else { return "–" }
        let rate = String(format: "%.1f %%", 100 * Double(part) / Double(whole))
        return whole < fewComments ? "\(rate) (of only \(whole))" : rate
    }

    /// The sentence that explains the "of only N" marks.
    static let fewCommentsNote = "A rate marked \"of only N\" rests on fewer than \(fewComments) comments: read it as a hint, not a measure."

    /// A reason code in plain words, with the code for those who search logs by it.
    static func reasonLabel(_ code: String) -> String {
        let label = ReasonLabels.label(code)
        return label == code ? code : "\(label) (\(code))"
    }

    /// A time in the report's time zone, to the minute (the zone is named in the report's title).
    func localTime(_ date: Date) -> String {
        var style = Date.VerbatimFormatStyle(
            format:
                "\(year: .defaultDigits)-\(month: .twoDigits)-\(day: .twoDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits)",
            timeZone: TimeZone(identifier: timeZone) ?? .gmt,
            calendar: Calendar(identifier: .gregorian)
        )
        style.locale = Locale(identifier: "en_US_POSIX")
        return style.format(date)
    }

    /// What the "still held" figure means: at the end of a day that has ended, or so far for the day in progress.
    var stillHeldLabel: String { dayEnded == false ? "held so far (the day has not ended)" : "still held at the end of the day" }

    /// A table of the report, the same for the Markdown and the HTML renderings.
    struct Table {
        var header: [String]
        var rows: [[String]]
    }

    var trendTable: Table {
        Table(
            header: ["figure", "this day", "average of the 7 days before"],
            rows: trend.map { [$0.figure, Self.number($0.value), Self.number($0.previous7DayAverage, digits: 1)] }
        )
    }

    var reasonsTable: Table {
        Table(
            header: ["reason", "hits", "comments", "overturned", "overturn rate"],
            rows: reasons.map {
                [Self.reasonLabel($0.reason), "\($0.hits)", "\($0.comments)", "\($0.overturned)", Self.rate($0.overturned, of: $0.comments)]
            }
        )
    }

    var rulesTable: Table {
        Table(
            header: ["rule", "reason", "hits", "comments", "overturned", "overturn rate", "overturned comments (ids)"],
            rows: rules.map {
                [
                    $0.rule, Self.reasonLabel($0.reason), "\($0.hits)", "\($0.comments)", "\($0.overturned)",
                    Self.rate($0.overturned, of: $0.comments),
                    Self.ids($0.overturnedComments ?? [], of: $0.overturned),
                ]
            }
        )
    }

    /// Comment ids for `modctl show`, with how many more there are.
    static func ids(_ ids: [Int64], of total: Int) -> String {
        guard !ids.isEmpty else { return "" }
        let listed = ids.map(String.init).joined(separator: ", ")
        return total > ids.count ? "\(listed) and \(total - ids.count) more" : listed
    }

    var overturnsTable: Table { Table(header: ["automatic", "moderator", "comments"], rows: overturns.map { [$0.from, $0.to, "\($0.count)"] }) }

    var speedTable: Table {
        Table(
            header: ["measure", "p50", "p95", "p99"],
            rows: [
                [
                    "submission → automatic decision (ms)", Self.number(speed.automaticP50, digits: 1), Self.number(speed.automaticP95, digits: 1),
                    Self.number(speed.automaticP99, digits: 1),
                ],
                ["held → moderator decision (s)", Self.number(speed.moderatorP50), Self.number(speed.moderatorP95), "–"],
            ]
        )
    }

    var moderatorsTable: Table {
        Table(header: ["moderator", "approved", "rejected"], rows: moderators.map { [$0.moderator, "\($0.approved)", "\($0.rejected)"] })
    }

    var sanctionsTable: Table {
        Table(
            header: ["time", "sanction", "until", "account", "by", "reason"],
            rows: sanctions.map { line in
                let until = line.until.map { until in
                    localTime(until) + (line.issuedAt.map { " (\(Self.duration(Int(until.timeIntervalSince($0)))))" } ?? "")
                }
                return [line.issuedAt.map(localTime) ?? "–", line.kind, until ?? "", line.account, line.by, line.reason]
            }
        )
    }

    var mostCommentedTable: Table {
        Table(
            header: ["article", "title", "comments", "rejected"],
            rows: mostCommented.map { [$0.ref, $0.title ?? "", "\($0.comments)", "\($0.rejected)"] }
        )
    }

    var mostRejectedTable: Table {
        Table(
            header: ["article", "title", "comments", "rejected", "share"],
            rows: mostRejected.map { [$0.ref, $0.title ?? "", "\($0.comments)", "\($0.rejected)", Self.percent($0.rejected, of: $0.comments)] }
        )
    }

    var providersTable: Table {
        Table(
            header: ["provider", "comments", "share"],
            rows: providers.map { [$0.provider, "\($0.comments)", Self.percent($0.comments, of: totals.submitted)] }
        )
    }

    var policyVersionsTable: Table {
        Table(
            header: ["id", "version", "activated", "deactivated"],
            rows: policyVersions.map { ["\($0.id)", $0.version, localTime($0.activatedAt), $0.deactivatedAt.map(localTime) ?? "still active"] }
        )
    }

    var modelsTable: Table {
        Table(
            header: ["model rule", "trained from", "labels until", "moderator labels since, by the day's end", "of which overturned model holds"],
            rows: (models ?? []).map {
                [$0.rule, $0.trainedFrom, $0.labelsUntil.map(localTime) ?? "–", "\($0.labelsSince)", "\($0.overturnedHolds)"]
            }
        )
    }

    /// The readers' flags by reason, with the share moderators upheld.
    var flagsTable: Table {
        Table(
            header: ["reason", "flags", "resolved", "upheld", "upheld share of resolved"],
            rows: (flags?.byReason ?? []).map {
                [
                    $0.reason, "\($0.received)", "\($0.resolved)", "\($0.upheld)",
                    $0.resolved == 0 ? "–" : String(format: "%.0f %%", 100 * Double($0.upheld) / Double($0.resolved)),
                ]
            }
        )
    }

    /// Posts the API turned away at once (too long, not logged in, …), by reason.
    var refusedTable: Table {
        Table(header: ["reason", "posts"], rows: (refused ?? []).map { [Self.reasonLabel($0.reason), "\($0.posts)"] })
    }

    /// One sentence on the posts refused before they were stored.
    var refusedSummary: String {
        guard let refused else { return "Not counted when this report was made." }
        let total = refused.reduce(0) { $0 + $1.posts }
        guard total > 0 else { return "No post was refused before it was stored." }
        return "\(total) posts were refused before they were stored (the reader was told why at once; nothing of them is kept "
            + "but this count), beside the \(totals.submitted) submitted."
    }

    /// One sentence on the day's flags.
    var flagsSummary: String {
        guard let flags, flags.received > 0 else { return "No reader flags." }
        let median = flags.medianSecondsToResolve.map { " Median time to a moderator's decision: \(Self.duration($0))." } ?? ""
        return "\(flags.received) flags on \(flags.comments) comments; \(flags.hidden) comments hidden by readers' flags; "
            + "\(flags.resolved) flags resolved.\(median)"
    }

    static func duration(_ seconds: Double) -> String {
        seconds < 120
            ? "\(Int(seconds.rounded())) s" : seconds < 7_200 ? "\(Int((seconds / 60).rounded())) min" : String(format: "%.1f h", seconds / 3_600)
    }

    /// What the figures cover, when they were taken, and how to read a rate on few comments.
    var introduction: String {
        "Generated \(localTime(generatedAt)) (\(timeZone))\(dayEnded == false ? ", before the day ended" : ""). "
            + "Figures cover the comments submitted that day, by their status now. \(Self.fewCommentsNote)"
    }

    /// The report as Markdown, for the Board's mail and the wiki.
    public var markdown: String {
        var out: [String] = []
        func table(_ table: Table) { self.table(table.header, table.rows, into: &out) }
        func table(_ header: [String], _ rows: [[String]]) { self.table(header, rows, into: &out) }
        out.append("# Policy report for \(date) (\(timeZone))")
        out.append("")
        out.append(introduction)
        out.append("")
        out.append("## Totals")
        out.append("")
        table(
            ["figure", "count", "share"],
            [
                ["submitted", "\(totals.submitted)", ""],
                ["approved", "\(totals.approved)", Self.percent(totals.approved, of: totals.submitted)],
                ["held", "\(totals.held)", Self.percent(totals.held, of: totals.submitted)],
                ["rejected", "\(totals.rejected)", Self.percent(totals.rejected, of: totals.submitted)],
                ["removed", "\(totals.removed)", Self.percent(totals.removed, of: totals.submitted)],
                ["still queued", "\(totals.queued)", Self.percent(totals.queued, of: totals.submitted)],
                ["automatic decisions", "\(totals.automaticDecisions)", ""],
                ["moderator decisions", "\(totals.moderatorDecisions)", ""],
                [stillHeldLabel, "\(totals.stillHeldAtEndOfDay)", "oldest \(Self.duration(totals.oldestHeldAtEndOfDaySeconds))"],
            ]
        )
        out.append("## Trend")
        out.append("")
        table(trendTable)
        out.append("## Reasons")
        out.append("")
        table(reasonsTable)
        out.append("## Rules")
        out.append("")
        table(rulesTable)
        out.append("## Overturned decisions")
        out.append("")
        table(overturnsTable)
        out.append("## Speed")
        out.append("")
        table(speedTable)
        out.append("## Moderators")
        out.append("")
        table(moderatorsTable)
        out.append("## Sanctions")
        out.append("")
        table(sanctionsTable)
        out.append("## Articles")
        out.append("")
        out.append("Most commented:")
        out.append("")
        table(mostCommentedTable)
        out.append("Highest share of rejections (at least 5 comments):")
        out.append("")
        table(mostRejectedTable)
        out.append("## Login providers")
        out.append("")
        table(providersTable)
        out.append("Rejected for `login_required`: \(loginRequiredRejections).")
        out.append("")
        out.append("## Refused before they were stored")
        out.append("")
        out.append(refusedSummary)
        out.append("")
        if refused?.isEmpty == false { table(refusedTable) }
        out.append("## Policy versions active during the day")
        out.append("")
        table(policyVersionsTable)
        out.append("## Learned models: what the moderators have taught since training")
        out.append("")
        table(modelsTable)
        out.append("## Readers' flags")
        out.append("")
        out.append(flagsSummary)
        out.append("")
        if flags?.byReason.isEmpty == false { table(flagsTable) }
        out.append("## Hourly volume")
        out.append("")
        table(
            ["hour", "approved", "held", "rejected", "other"],
            hourly.map { [String(format: "%02d", $0.hour), "\($0.approved)", "\($0.held)", "\($0.rejected)", "\($0.other)"] }
        )
        return out.joined(separator: "\n")
    }

    private func table(_ header: [String], _ rows: [[String]], into out: inout [String]) {
        out.append("| " + header.joined(separator: " | ") + " |")
        out.append("|" + header.map { _ in "---" }.joined(separator: "|") + "|")
        for row in rows { out.append("| " + row.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |") }
        if rows.isEmpty { out.append("| " + header.map { _ in "–" }.joined(separator: " | ") + " |") }
        out.append("")
    }

    /// One row per reason and per rule, for spreadsheets.
    public var csv: String {
        var lines = ["date,kind,reason,rule,hits,comments,overturned,overturn_rate"]
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        func rate(_ part: Int, _ whole: Int) -> String { whole == 0 ? "0.0000" : String(format: "%.4f", Double(part) / Double(whole)) }
        for line in reasons {
            lines.append(
                [
                    date, "reason", field(line.reason), "", "\(line.hits)", "\(line.comments)", "\(line.overturned)",
                    rate(line.overturned, line.comments),
                ].joined(separator: ",")
            )
        }
        for line in rules {
            lines.append(
                [
                    date, "rule", field(line.reason), field(line.rule), "\(line.hits)", "\(line.comments)", "\(line.overturned)",
                    rate(line.overturned, line.comments),
                ]
                .joined(separator: ",")
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The report as JSON (sorted keys, ISO 8601 dates).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}
