public import CommentStore
public import Foundation
public import PostgresLibPQ

extension DailyReport {
    /// Stores the report in `policy_reports` with its renderings, replacing an earlier one for the same date.
    public func save(on connection: PostgresConnection) async throws {
        try await PolicyReportStore().save(self, json: try json(), markdown: markdown, html: html, csv: csv, on: connection)
    }

    /// Writes policy-report-DATE.md, .html, .json and .csv into `directory` (created when missing); returns the paths.
    @discardableResult
    public func write(to directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var paths: [String] = []
        for (suffix, text) in [("md", markdown), ("html", html), ("json", try json()), ("csv", csv)] {
            let path = (directory as NSString).appendingPathComponent("policy-report-\(date).\(suffix)")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            paths.append(path)
        }
        return paths
    }
}

/// The calendar days of a report run.
public enum ReportDays {
    /// The day before `now` in `timeZone`, as YYYY-MM-DD.
    public static func yesterday(in timeZone: TimeZone, now: Date = Date()) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let today = calendar.startOfDay(for: now)
        return format(calendar.date(byAdding: .day, value: -1, to: today)!, calendar)
    }

    /// Every day from `first` to `last` inclusive; nil when either is not a date or `last` is before `first`.
    public static func range(_ first: String, _ last: String) -> [String]? {
        guard ReportBuilder.isDate(first), ReportBuilder.isDate(last), first <= last else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        func parse(_ text: String) -> Date {
            let parts = text.split(separator: "-").compactMap { Int($0) }
            return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))!
        }
        var days: [String] = []
        var day = parse(first)
        let end = parse(last)
        while day <= end, days.count <= 3660 {
            days.append(format(day, calendar))
            day = calendar.date(byAdding: .day, value: 1, to: day)!
        }
        return days
    }

    static func format(_ date: Date, _ calendar: Calendar) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }
}
