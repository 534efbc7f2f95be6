import ArgumentParser
import Configuration
import Foundation
import Logging
import PostgresLibPQ
import Settings
import StandardsPolicy

/// Exit code 3: the comment, account or article does not exist, or another moderator got there first.
let notFoundOrConflict = ExitCode(3)

/// modctl's settings from the environment: `database.url` (`DATABASE_URL`), `modctl.moderator` (`MODCTL_MODERATOR`),
/// `modctl.timezone` (`MODCTL_TIMEZONE`).
let modctlSettings = ConfigReader(provider: EnvironmentVariablesProvider())

/// Runs `body` on one connection; a database that cannot be reached is one line on stderr and exit 1.
func withDatabase<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
    var logger = Logger(label: "modctl")
    logger.logLevel = .warning
    let configuration = PostgresConfiguration(config: modctlSettings, applicationName: "modctl")
    do {
        return try await PostgresConnection.withConnection(configuration: configuration, logger: logger, body)
    } catch let error as PostgresError where error.kind == .connection {
        printError("cannot connect to the database: \(error)")
        throw ExitCode.failure
    }
}

/// Prints `value` as one line of JSON with sorted keys and ISO 8601 dates.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Who is acting: `--moderator`, else `MODCTL_MODERATOR`, else the OS user.
struct ModeratorOption: ParsableArguments {
    @Option(help: "Your name in the audit trail (default: MODCTL_MODERATOR, else your OS user name).")
    var moderator: String?

    var name: String {
        if let moderator, !moderator.isEmpty { return moderator }
        if let value = modctlSettings.text("modctl.moderator") { return value }
        return ProcessInfo.processInfo.userName.isEmpty ? "unknown" : ProcessInfo.processInfo.userName
    }

    func validate() throws {
        // decided_by and issued_by hold 1 to 200 code points (length() in their CHECKs): the same measure here.
        guard (1...200).contains(name.postgresLength) else { throw ValidationError("--moderator (or MODCTL_MODERATOR) must be 1 to 200 characters") }
    }
}

/// Durations as moderators type them: `90s`, `30m`, `12h`, `7d`, `2w`, or plain seconds.
func parseDuration(_ text: String) -> Int? {
    if let seconds = PolicyLoader.seconds(text) { return seconds }
    if let value = Int(text), value > 0 { return value }  // bare seconds
    return nil
}

/// A short age for tables: 45s, 12m, 3h, 2d.
func formatAge(_ seconds: Int) -> String {
    switch seconds {
    case ..<60: "\(seconds)s"
    case ..<3600: "\(seconds / 60)m"
    case ..<86_400: "\(seconds / 3600)h"
    default: "\(seconds / 86_400)d"
    }
}

/// Whether standard output is a terminal (colour only then).
var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

/// Left-aligned columns, the last one unpadded.
func printTable(_ header: [String], _ rows: [[String]]) {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    for (index, row) in all.enumerated() {
        let line = row.enumerated().map { column, cell in
            column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
        print(index == 0 && stdoutIsTerminal ? "\u{1B}[1m\(line)\u{1B}[0m" : line)
    }
}

/// A time as ISO 8601 in UTC, to the second: for what machines read back (a model's provenance).
func iso(_ date: Date) -> String { Date.ISO8601FormatStyle().format(date) }

/// Where the times a person reads are shown: `--timezone`, else `MODCTL_TIMEZONE`, else the active policy's
/// `site_time_zone` (JSON output keeps UTC).
struct TimeZoneOption: ParsableArguments {
    @Option(help: "Show times in this time zone, an IANA name (default: MODCTL_TIMEZONE, else the active policy's site_time_zone).")
    var timezone: String?

    var chosen: String? {
        if let timezone { return timezone }
        return modctlSettings.text("modctl.timezone")
    }

    func validate() throws {
        if let chosen, TimeZone(identifier: chosen) == nil {
            throw ValidationError("unknown time zone '\(chosen)' (--timezone or MODCTL_TIMEZONE): use an IANA name such as Asia/Seoul")
        }
    }

    /// The clock to show times with; reads the active policy only when no zone was chosen.
    func clock(on connection: PostgresConnection) async throws -> LocalClock {
        if let chosen, let zone = TimeZone(identifier: chosen) { return LocalClock(zone) }
        return LocalClock(TimeZone(identifier: try await activePolicyDocument(on: connection).siteTimeZone) ?? .gmt)
    }
}

/// Formats times in one zone, to the second, with the offset: "2026-12-04 07:40:12 +09:00".
struct LocalClock: Sendable {
    let zone: TimeZone

    init(_ zone: TimeZone) { self.zone = zone }

    func callAsFunction(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let offset = zone.secondsFromGMT(for: date)
        let sign = offset < 0 ? "-" : "+"
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)):\(two(c.second)) "
            + "\(sign)\(two(abs(offset) / 3600)):\(two(abs(offset) % 3600 / 60))"
    }
}
