import CommentStore
import Foundation
import PostgresLibPQ
import PostgresTestSupport
import StandardsPolicy
import Testing

/// `modctl policy evaluate` as a reader runs it: a real process over a labelled file on disk (no database needed).
@Suite("modctl policy evaluate", .timeLimit(.minutes(5)))
struct PolicyEvaluateCommandTests {
    static func file(_ contents: String, _ suffix: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cdt-labelled-\(UUID().uuidString.prefix(8)).\(suffix)").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aLabelledFileGivesFiguresPerLabel() async throws {
        let path = try Self.file("comments\thate\n좋은 기사네요\tnone\n장관은 자진 사퇴하라\tnone\n이 새끼 뭐야\thate\n그냥 그렇네\thate\n", "tsv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await runModctl(
            ["policy", "evaluate", path, "--text-column", "comments", "--label-column", "hate", "--samples", "3"],
            databaseURL: ""
        )
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stdout.contains("none (clean) 2         100.0 %"), "\(result.stdout)")
        #expect(result.stdout.contains("hate         2         50.0 %"), "\(result.stdout)")
        #expect(result.stdout.contains("approved: 그냥 그렇네"), "\(result.stdout)")
    }

    @Test func aFileWithoutTheColumnsIsRefusedWithTheReason() async throws {
        let path = try Self.file("text\tlabel\nhello\tnone\n", "tsv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await runModctl(["policy", "evaluate", path, "--text-column", "comments"], databaseURL: "")
        #expect(result.code != 0)
        #expect(result.stderr.contains("no column \"comments\""), "\(result.stderr)")
    }
}
