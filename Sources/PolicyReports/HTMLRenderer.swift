import Foundation

extension DailyReport {
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    static let colors = (approved: "#2e7d32", held: "#f9a825", rejected: "#c62828", other: "#78909c", bar: "#1565c0")

    /// Hourly volume, stacked by outcome: 24 bars.
    var hourlyChart: String {
        let width = 720.0, height = 220.0, left = 40.0, bottom = 24.0, top = 10.0
        let maximum = max(1, hourly.map { $0.approved + $0.held + $0.rejected + $0.other }.max() ?? 1)
        let slot = (width - left) / 24, plot = height - bottom - top
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
        let rowHeight = 22.0, left = 180.0, width = 720.0
        let height = max(rowHeight, Double(items.count) * rowHeight) + 8
        let top = maximum ?? max(1, items.map(\.1).max() ?? 1)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"\(escape(label))\" "
        svg += "width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">"
        if items.isEmpty { svg += "<text x=\"4\" y=\"16\" font-size=\"12\">nothing to show</text>" }
        for (index, item) in items.enumerated() {
            let y = Double(index) * rowHeight + 4
            let w = (width - left - 80) * max(0, item.1) / top
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 14))\" text-anchor=\"end\" font-size=\"12\">\(escape(item.0))</text>"
            svg += "<rect class=\"bar\" x=\"\(f(left))\" y=\"\(f(y + 2))\" width=\"\(f(w))\" height=\"\(f(rowHeight - 6))\" fill=\"\(colors.bar)\"/>"
            svg += "<text x=\"\(f(left + w + 6))\" y=\"\(f(y + 14))\" font-size=\"12\">\(escape(item.2))</text>"
        }
        return svg + "</svg>"
    }

    /// The report as one self-contained HTML page with inline SVG charts.
    public var html: String {
        func table(_ table: Table) -> String {
            var html = "<table><thead><tr>" + table.header.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
            for row in table.rows { html += "<tr>" + row.map { "<td>\(Self.escape($0))</td>" }.joined() + "</tr>" }
            if table.rows.isEmpty { html += "<tr><td colspan=\"\(table.header.count)\">none</td></tr>" }
            return html + "</tbody></table>"
        }
        let iso = Date.ISO8601FormatStyle()
        var body = "<h1>Policy report for \(Self.escape(date)) <small>(\(Self.escape(timeZone)))</small></h1>"
        body += "<p>Generated \(iso.format(generatedAt)). Figures cover the comments submitted that day, by their status now.</p>"
        body += "<section class=\"totals\">"
        for (name, value) in [
            ("submitted", totals.submitted), ("approved", totals.approved), ("held", totals.held), ("rejected", totals.rejected),
            ("removed", totals.removed),
        ] {
            body += "<div class=\"figure\"><span class=\"value\">\(value)</span><span class=\"label\">\(name)</span></div>"
        }
        body += "</section>"
        body += "<p>\(totals.automaticDecisions) automatic and \(totals.moderatorDecisions) moderator decisions; "
        body += "\(totals.stillHeldAtEndOfDay) still held at the end of the day (oldest \(Self.duration(totals.oldestHeldAtEndOfDaySeconds))).</p>"
        body += "<h2>Hourly volume by outcome</h2><figure id=\"hourly\">\(hourlyChart)</figure>"
        body += "<p class=\"legend\"><span style=\"color:\(Self.colors.approved)\">■ approved</span> "
        body += "<span style=\"color:\(Self.colors.held)\">■ held</span> "
        body += "<span style=\"color:\(Self.colors.rejected)\">■ rejected</span> <span style=\"color:\(Self.colors.other)\">■ other</span></p>"
        body += "<h2>Trend</h2>" + table(trendTable)
        body += "<h2>Reasons</h2><figure id=\"reasons\">"
        body += Self.barChart("Comments per reason", reasons.map { ($0.reason, Double($0.comments), "\($0.comments)") }) + "</figure>"
        body += table(reasonsTable)
        let overturnRates = rules.map {
            ($0.rule, $0.comments == 0 ? 0 : Double($0.overturned) / Double($0.comments), Self.rate($0.overturned, of: $0.comments))
        }
        body += "<h2>Overturn rate by rule</h2><figure id=\"overturns\">"
        body += Self.barChart("Share of each rule's comments that moderators overturned", overturnRates, maximum: 1) + "</figure>"
        body += table(rulesTable)
        body += "<h2>Overturned decisions</h2>" + table(overturnsTable)
        body += "<h2>Speed</h2>" + table(speedTable)
        body += "<h2>Moderators</h2>" + table(moderatorsTable)
        body += "<h2>Sanctions</h2>" + table(sanctionsTable)
        body += "<h2>Most commented articles</h2>" + table(mostCommentedTable)
        body += "<h2>Highest share of rejections</h2>" + table(mostRejectedTable)
        body += "<h2>Login providers</h2>" + table(providersTable)
        body += "<p>Rejected for <code>login_required</code>: \(loginRequiredRejections).</p>"
        body += "<h2>Policy versions active during the day</h2>" + table(policyVersionsTable)
        body += "<h2>Learned models: what the moderators have taught since training</h2>" + table(modelsTable)
        body += "<h2>Readers' flags</h2><p>\(Self.escape(flagsSummary))</p>"
        if flags?.byReason.isEmpty == false { body += table(flagsTable) }
        let style = """
            body{font-family:system-ui,sans-serif;margin:2em auto;max-width:800px;color:#222}h1 small{font-weight:normal;color:#666}
            table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}
            th{background:#f3f3f3}.totals{display:flex;gap:1em}.figure{border:1px solid #ddd;padding:.5em 1em;text-align:center}
            .value{display:block;font-size:1.6em;font-weight:bold}.label{color:#666}figure{margin:0}
            """
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Policy report \(Self.escape(date))</title><style>\(style)</style></head>
            <body>\(body)</body></html>

            """
    }
}

private func f(_ value: Double) -> String { String(format: "%.1f", value) }
