public import CommentStore
import Foundation
import Mustache
import StandardsPolicy

extension DailyReport {
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    static let colors = (approved: "#2e7d32", held: "#f9a825", rejected: "#c62828", other: "#78909c", bar: "#1565c0")

    /// Hourly volume, stacked by outcome: 24 bars.
    var hourlyChart: String {
        let width = 720.0
        let height = 220.0
        let left = 40.0
        let bottom = 24.0
        let top = 10.0
        let maximum = max(1, hourly.map { $0.approved + $0.held + $0.rejected + $0.other }.max() ?? 1)
        let slot = (width - left) / 24
        let plot = height - bottom - top
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"Comments per hour by outcome\" "
        svg += "width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">"
        svg += "<line x1=\"\(left)\" y1=\"\(top + plot)\" x2=\"\(width)\" y2=\"\(top + plot)\" stroke=\"#555\"/>"
        svg += "<text x=\"\(left - 4)\" y=\"\(top + 8)\" text-anchor=\"end\" font-size=\"10\">\(maximum)</text>"
        svg += "<text x=\"\(left - 4)\" y=\"\(top + plot)\" text-anchor=\"end\" font-size=\"10\">0</text>"
        for line in hourly {
            var y = top + plot
            let x = left + Double(line.hour) * slot + 2
            for (count, color, name) in [
                (line.approved, Self.colors.approved, "approved"), (line.held, Self.colors.held, "held"),
                (line.rejected, Self.colors.rejected, "rejected"), (line.other, Self.colors.other, "other"),
            ] where count > 0 {
                let h = plot * Double(count) / Double(maximum)
                y -= h
                svg += "<rect class=\"bar \(name)\" x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(slot - 4))\" height=\"\(f(h))\" fill=\"\(color)\">"
                svg += "<title>\(String(format: "%02d", line.hour)):00 \(name) \(count)</title></rect>"
            }
            if line.hour % 3 == 0 {
                svg +=
                    "<text x=\"\(f(x + slot / 2 - 2))\" y=\"\(f(height - 8))\" text-anchor=\"middle\" font-size=\"10\">\(String(format: "%02d", line.hour))</text>"
            }
        }
        return svg + "</svg>"
    }

    /// Horizontal bars, one per label.
    static func barChart(_ label: String, _ items: [(String, Double, String)], maximum: Double? = nil) -> String {
        let rowHeight = 22.0
        let left = 250.0
        let width = 720.0
        let height = max(rowHeight, Double(items.count) * rowHeight) + 8
        let top = maximum ?? max(1, items.map(\.1).max() ?? 1)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"\(escape(label))\" "
        svg += "width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">"
        if items.isEmpty { svg += "<text x=\"4\" y=\"16\" font-size=\"12\">nothing to show</text>" }
        for (index, item) in items.enumerated() {
            let y = Double(index) * rowHeight + 4
            let w = (width - left - 80) * max(0, item.1) / top
            // Labels longer than the margin holds are cut (the table below the chart has them whole).
            let label = item.0.count > 38 ? item.0.prefix(37) + "…" : item.0
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 14))\" text-anchor=\"end\" font-size=\"12\">\(escape(label))</text>"
            svg += "<rect class=\"bar\" x=\"\(f(left))\" y=\"\(f(y + 2))\" width=\"\(f(w))\" height=\"\(f(rowHeight - 6))\" fill=\"\(colors.bar)\"/>"
            svg += "<text x=\"\(f(left + w + 6))\" y=\"\(f(y + 14))\" font-size=\"12\">\(escape(item.2))</text>"
        }
        return svg + "</svg>"
    }

    /// The report as one self-contained HTML page with inline SVG charts, from `Templates/report.html.mustache`
    /// (which escapes every text; only the charts, built here from numbers and escaped labels, go in as they are).
    public var html: String { Self.htmlTemplate.render(HTMLPage(self)) }

    static let htmlTemplate: MustacheTemplate = {
        do {
            return try MustacheTemplate(string: String(decoding: PackageResources.report_html_mustache, as: UTF8.self))
        } catch {
            preconditionFailure("the embedded report template does not parse: \(error)")
        }
    }()
}

/// What the HTML template shows: the report's figures in words, section by section.
struct HTMLPage {
    struct Figure {
        var value: Int
        var label: String
    }

    struct LegendEntry {
        var name: String
        var color: String
    }

    struct TableView {
        struct Row { var cells: [String] }
        var header: [String]
        var rows: [Row]
        var columns: Int

        init(_ table: DailyReport.Table) {
            header = table.header
            rows = table.rows.map { Row(cells: $0) }
            columns = table.header.count
        }
    }

    struct Section {
        var title: String
        var id = ""
        var chart: String? = nil
        var legend: [LegendEntry] = []
        var paragraphs: [String] = []
        var table: TableView? = nil
        var hasLegend: Bool { !legend.isEmpty }
    }

    var date: String
    var timeZone: String
    var introduction: String
    var figures: [Figure]
    var decisions: String
    var sections: [Section]

    init(_ report: DailyReport) {
        typealias R = DailyReport
        let totals = report.totals
        date = report.date
        timeZone = report.timeZone
        introduction = report.introduction
        figures = [
            Figure(value: totals.submitted, label: "submitted"), Figure(value: totals.approved, label: "approved"),
            Figure(value: totals.held, label: "held"), Figure(value: totals.rejected, label: "rejected"),
            Figure(value: totals.removed, label: "removed"),
        ]
        decisions =
            "\(totals.automaticDecisions) automatic and \(totals.moderatorDecisions) moderator decisions; "
            + "\(report.stillHeldLabel): \(totals.stillHeldAtEndOfDay) (oldest \(R.duration(totals.oldestHeldAtEndOfDaySeconds)))."
        let overturnRates = report.rules.map {
            ($0.rule, $0.comments == 0 ? 0 : Double($0.overturned) / Double($0.comments), R.rate($0.overturned, of: $0.comments))
        }
        var sections = [
            Section(
                title: "Hourly volume by outcome",
                id: "hourly",
                chart: report.hourlyChart,
                legend: [
                    .init(name: "approved", color: R.colors.approved), .init(name: "held", color: R.colors.held),
                    .init(name: "rejected", color: R.colors.rejected), .init(name: "other", color: R.colors.other),
                ]
            ),
            Section(title: "Trend", table: .init(report.trendTable)),
            Section(
                title: "Reasons",
                id: "reasons",
                chart: R.barChart(
                    "Comments per reason",
                    report.reasons.map { (ReasonLabels.label($0.reason), Double($0.comments), "\($0.comments)") }
                ),
                table: .init(report.reasonsTable)
            ),
            Section(
                title: "Overturn rate by rule",
                id: "overturns",
                chart: R.barChart("Share of each rule's comments that moderators overturned", overturnRates, maximum: 1),
                table: .init(report.rulesTable)
            ),
            Section(title: "Overturned decisions", table: .init(report.overturnsTable)),
            Section(title: "Speed", table: .init(report.speedTable)),
            Section(title: "Moderators", table: .init(report.moderatorsTable)),
            Section(title: "Sanctions", table: .init(report.sanctionsTable)),
            Section(title: "Most commented articles", table: .init(report.mostCommentedTable)),
            Section(title: "Highest share of rejections", table: .init(report.mostRejectedTable)),
            Section(
                title: "Login providers",
                paragraphs: ["Rejected for login_required: \(report.loginRequiredRejections)."],
                table: .init(report.providersTable)
            ),
            Section(title: "Policy versions active during the day", table: .init(report.policyVersionsTable)),
            Section(title: "Learned models: what the moderators have taught since training", table: .init(report.modelsTable)),
        ]
        sections.append(
            Section(
                title: "Refused before they were stored",
                paragraphs: [report.refusedSummary],
                table: report.refused?.isEmpty == false ? .init(report.refusedTable) : nil
            )
        )
        sections.append(
            Section(
                title: "Readers' flags",
                paragraphs: [report.flagsSummary],
                table: report.flags?.byReason.isEmpty == false ? .init(report.flagsTable) : nil
            )
        )
        self.sections = sections
    }
}

private func f(_ value: Double) -> String { String(format: "%.1f", value) }
