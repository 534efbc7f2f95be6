import CommentStore
import Foundation
import PolicyReports
import PostgresLibPQ
import PostgresTestSupport
import Testing

/// The HTML report opened in headless Chromium: the screenshot must show the charts in their colours.
@Suite("Report HTML in a browser", .timeLimit(.minutes(5)))
struct HTMLRenderingTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test func theChartsRenderInHeadlessChromium() async throws {
        guard let chromium = Self.chromium else {
            Issue.record("chromium is missing (deploy/local/test.sh installs it)")
            return
        }
        let report = try await withMigratedDatabase(label: "report-html") { db in
            try await Fixture.seed(db)
            return try await db.withConnection {
                try await ReportBuilder().build(date: Fixture.date, timeZone: "Asia/Seoul", now: Fixture.generatedAt, on: $0)
            }
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdt-html-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = folder.appendingPathComponent("report.html")
        let shot = folder.appendingPathComponent("report.png")
        try report.html.write(to: page, atomically: true, encoding: .utf8)
        let html = report.html
        #expect(
            !html.contains("http://")
                || html.components(separatedBy: "http://").count - 1 == html.components(separatedBy: "http://www.w3.org/2000/svg").count - 1,
            "self-contained: no external references besides the SVG namespace"
        )
        try await runProcess(
            chromium,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1", "--window-size=900,3200",
                "--user-data-dir=\(folder.appendingPathComponent("profile").path)", "--screenshot=\(shot.path)", page.absoluteString,
            ]
        )
        #expect(FileManager.default.fileExists(atPath: shot.path))
        let script = TestPostgres.repositoryRoot.appendingPathComponent("Tests/PolicyReportsTests/Support/png_colors.py").path
        let log = folder.appendingPathComponent("colors.txt").path
        let child = try ChildProcess("/usr/bin/env", ["python3", script, shot.path, "2e7d32", "f9a825", "c62828", "1565c0"], logPath: log)
        #expect(await child.exitCode() == 0, "\(child.output)")
        var counts: [String: Int] = [:]
        for line in child.output.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2 { counts[String(parts[0])] = Int(parts[1]) }
        }
        // The hourly chart draws approved, held and rejected bars; the reason and overturn charts draw blue bars.
        #expect((counts["2e7d32"] ?? 0) > 100, "approved bars: \(counts)")
        #expect((counts["f9a825"] ?? 0) > 100, "held bars: \(counts)")
        #expect((counts["c62828"] ?? 0) > 100, "rejected bars: \(counts)")
        #expect((counts["1565c0"] ?? 0) > 1000, "reason and overturn bars: \(counts)")
    }
}
