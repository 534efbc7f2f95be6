import ArgumentParser
import CommentStore
import Foundation
import Logging
import PolicyReports
import PostgresLibPQ
import Settings
import StandardsPolicy

/// `commentd report`: the nightly policy report.
struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the policy report for a day (default: yesterday in the site's time zone) and store it.",
        discussion: """
            Writes policy-report-DATE.md, .html (self-contained, with charts), .json and .csv into --out, and stores \
            the report in the policy_reports table (running a date again replaces it). --from and --to backfill a range.
            """
    )

    @Option(help: "The day, YYYY-MM-DD (default: yesterday in --timezone).")
    var date: String?

    @Option(help: "First day of a range to backfill.")
    var from: String?

    @Option(help: "Last day of the range (inclusive).")
    var to: String?

    @Option(help: "The site's time zone, an IANA name (default: the active policy's site_time_zone).")
    var timezone: String?

    @Option(help: "Folder for the report files.")
    var out = "."

    func validate() throws {
        if let timezone, TimeZone(identifier: timezone) == nil {
            throw ValidationError("unknown time zone '\(timezone)': use an IANA name such as Asia/Seoul")
        }
        if let date, !ReportBuilder.isDate(date) { throw ValidationError("invalid --date '\(date)': use YYYY-MM-DD") }
        switch (from, to) {
        case (nil, nil): break
        case (let first?, let last?):
            guard date == nil else { throw ValidationError("give --date or --from/--to, not both") }
            guard ReportDays.range(first, last) != nil else { throw ValidationError("--from and --to must be dates (YYYY-MM-DD), --from first") }
        default: throw ValidationError("--from and --to go together")
        }
    }

    func run() async throws {
        let logger = bootstrapLogging(label: "commentd.report")
        let configuration = PostgresConfiguration(config: try await Settings.reader(), applicationName: "commentd-report")
        try await PostgresConnection.withConnection(configuration: configuration, logger: logger) { connection in
            let timezone: String
            if let chosen = self.timezone { timezone = chosen } else { timezone = try await Self.siteTimeZone(on: connection) }
            let days =
                from.flatMap { first in to.flatMap { ReportDays.range(first, $0) } } ?? [
                    date ?? ReportDays.yesterday(in: TimeZone(identifier: timezone) ?? .gmt)
                ]
            for day in days {
                let started = ContinuousClock.now
                let report = try await ReportBuilder().build(date: day, timeZone: timezone, on: connection)
                try await report.save(on: connection)
                let paths = try report.write(to: out)
                logger.info(
                    "policy report written",
                    metadata: [
                        "date": "\(day)", "submitted": "\(report.totals.submitted)", "files": "\(paths.joined(separator: " "))",
                        "seconds": "\((ContinuousClock.now - started).components.seconds)",
                    ]
                )
            }
        }
    }

    /// The active policy's site time zone (the built-in policy's while none is stored).
    static func siteTimeZone(on connection: PostgresConnection) async throws -> String {
        try PolicyLoader.document(from: try await PolicyVersions().active(on: connection)?.bundle ?? .standardsBoard).siteTimeZone
    }
}
