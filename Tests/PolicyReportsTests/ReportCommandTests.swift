import CommentStore
import Foundation
import PolicyReports
import PostgresLibPQ
import PostgresTestSupport
import StandardsPolicy
import Testing

@Suite("commentd report", .timeLimit(.minutes(5)))
struct ReportCommandTests {
    static func run(_ arguments: [String], url: String) async throws -> (code: Int32?, output: String) {
        let child = try spawnCommentd(["report"] + arguments, environment: ["DATABASE_URL": url], logName: "report-\(UUID().uuidString.prefix(6))")
        let code = await child.exitCode()
        return (code, child.output)
    }

    @Test func writesFourFilesStoresTheReportAndReplacesItOnARerun() async throws {
        try await withMigratedDatabase(label: "report-cli") { db in
            try await Fixture.seed(db)
            let url = db.configuration.connectionString!
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("cdt-report-\(UUID().uuidString.prefix(6))").path
            defer { try? FileManager.default.removeItem(atPath: out) }
            let first = try await Self.run(["--date", Fixture.date, "--out", out], url: url)
            #expect(first.code == 0, "\(first.output)")
            for suffix in ["md", "html", "json", "csv"] {
                #expect(FileManager.default.fileExists(atPath: "\(out)/policy-report-2026-11-01.\(suffix)"), "\(suffix)")
            }
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/policy-report-2026-11-01.json")))
            let totals = try #require((json as? [String: Any])?["totals"] as? [String: Any])
            #expect(totals["submitted"] as? Int == Fixture.day.count)
            #expect(totals["approved"] as? Int == Fixture.day.filter { $0.status == "approved" }.count)
            #expect(totals["held"] as? Int == Fixture.day.filter { $0.status == "held" }.count)
            #expect(totals["rejected"] as? Int == Fixture.day.filter { $0.status == "rejected" }.count)
            let stored = try await db.query(
                "SELECT (summary->'totals'->>'submitted')::int, time_zone FROM policy_reports WHERE report_date = '2026-11-01'"
            )
            .single().decode((Int, String).self)
            #expect(stored.0 == Fixture.day.count)
            #expect(stored.1 == "Asia/Seoul")
            // A comment arrives late for that day (a backfill): running the date again replaces the stored report.
            try await db.query(
                "UPDATE comments SET submitted_at = \(Fixture.midnight.addingTimeInterval(60)) WHERE submitted_at >= \(Fixture.midnight.addingTimeInterval(86_400))"
            )
            #expect(try await Self.run(["--date", Fixture.date, "--out", out], url: url).code == 0)
            #expect(try await db.count("SELECT count(*) FROM policy_reports") == 1)
            #expect(try await db.count("SELECT (summary->'totals'->>'submitted')::int FROM policy_reports") == Fixture.day.count + 1)
        }
    }

    @Test func backfillsARangeAndDefaultsToYesterday() async throws {
        try await withMigratedDatabase(label: "report-range") { db in
            let url = db.configuration.connectionString!
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("cdt-report-\(UUID().uuidString.prefix(6))").path
            defer { try? FileManager.default.removeItem(atPath: out) }
            let range = try await Self.run(["--from", "2026-10-30", "--to", "2026-11-01", "--out", out], url: url)
            #expect(range.code == 0, "\(range.output)")
            #expect(try await db.count("SELECT count(*) FROM policy_reports") == 3)
            let yesterday = ReportDays.yesterday(in: TimeZone(identifier: "Asia/Seoul")!)
            #expect(try await Self.run(["--out", out], url: url).code == 0)
            #expect(FileManager.default.fileExists(atPath: "\(out)/policy-report-\(yesterday).md"))
        }
    }

    /// Without --timezone the day is the active policy's site_time_zone's day.
    @Test func theTimeZoneDefaultsToTheActivePolicys() async throws {
        try await withMigratedDatabase(label: "report-zone") { db in
            var files = PolicyBundle.standardsBoard.files
            files["standards-board.yaml"] = files["standards-board.yaml"]!.replacingOccurrences(
                of: "site_time_zone: Asia/Seoul",
                with: "site_time_zone: America/New_York"
            )
            _ = try await db.withConnection {
                try await PolicyVersions().activate(PolicyBundle(mainFile: "standards-board.yaml", files: files), by: "board", on: $0)
            }
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("cdt-report-\(UUID().uuidString.prefix(6))").path
            defer { try? FileManager.default.removeItem(atPath: out) }
            let run = try await Self.run(["--date", Fixture.date, "--out", out], url: db.configuration.connectionString!)
            #expect(run.code == 0, "\(run.output)")
            #expect(try await db.query("SELECT time_zone FROM policy_reports").single().decode(String.self, at: 0) == "America/New_York")
        }
    }

    @Test func invalidDateOrTimeZoneExitsNonZeroWithAClearMessage() async throws {
        try await withMigratedDatabase(label: "report-bad") { db in
            let url = db.configuration.connectionString!
            let date = try await Self.run(["--date", "2026-13-01"], url: url)
            #expect(date.code != 0)
            #expect(date.output.contains("invalid --date '2026-13-01'"))
            let zone = try await Self.run(["--date", "2026-11-01", "--timezone", "Asia/Atlantis"], url: url)
            #expect(zone.code != 0)
            #expect(zone.output.contains("unknown time zone 'Asia/Atlantis'"))
            #expect(try await Self.run(["--from", "2026-11-02", "--to", "2026-11-01"], url: url).code != 0)
            #expect(try await db.count("SELECT count(*) FROM policy_reports") == 0)
        }
    }
}
