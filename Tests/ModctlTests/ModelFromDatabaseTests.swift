import CommentStore
import Foundation
import PostgresLibPQ
import PostgresTestSupport
import StandardsPolicy
import Testing

/// `modctl model train --from-database`: the moderators' approve and reject decisions are the training data.
@Suite("modctl model from the database", .timeLimit(.minutes(5)))
struct ModelFromDatabaseTests {
    @Test func theModeratorsDecisionsTrainAModel() async throws {
        try await withDesk { desk in
            // Comments with automatic decisions only (left out), and comments a moderator judged (kept, latest word).
            for index in 0..<30 { try await desk.comment("좋은 기사 감사합니다 \(index)", by: "r\(index % 3)", status: "approved") }
            var judged: [(Int64, Bool)] = []
            for index in 0..<40 {
                let abusive = index % 2 == 0
                let body = abusive ? "zorbak 같은 소리 하네 \(index)" : "오늘 경기 정말 좋았어요 \(index)"
                judged.append((try await desk.comment(body, by: "r\(index % 3)"), abusive))
            }
            for (id, abusive) in judged {
                let result =
                    abusive
                    ? try await desk.modctl("reject", String(id), "--reason", "insult") : try await desk.modctl("approve", String(id))
                #expect(result.code == 0, "\(result.stderr)")
            }
            let labels = try await desk.db.withConnection { try await ModeratorLabels.since(Date().addingTimeInterval(-3600), on: $0) }
            #expect(labels.count == 40)
            #expect(labels.filter { $0.outcome == .reject }.allSatisfy { $0.body.hasPrefix("zorbak") })

            let out = FileManager.default.temporaryDirectory.appendingPathComponent("cdt-model-\(UUID().uuidString.prefix(8)).json").path
            defer { try? FileManager.default.removeItem(atPath: out) }
            let trained = try await desk.modctl("model", "train", "--from-database", "--since", "1d", "--out", out, "--buckets", "4096")
            #expect(trained.code == 0, "\(trained.stderr)")
            let model = try ModelFile.model(from: String(contentsOfFile: out, encoding: .utf8))
            #expect(model.provenance["examples"] == "40" && model.provenance["trained_from"]?.hasPrefix("moderator decisions") == true)
            #expect(model.score(TextNormalizer.normalize("zorbak 같은 소리")) > model.score(TextNormalizer.normalize("오늘 경기 좋았어요")))
            // A file and the database at once is a usage error.
            let both = try await desk.modctl("model", "train", "labelled.tsv", "--from-database", "--out", out)
            #expect(both.code == 2 && both.stderr.contains("one of the two"), "\(both.stderr)")

            // Everyday words learned as clean beside the decisions: a line the rules reject is left out, and the
            // provenance says how many were learned; a file that cannot be read stops it with a message.
            let words = FileManager.default.temporaryDirectory.appendingPathComponent("cdt-words-\(UUID().uuidString.prefix(8)).txt").path
            defer { try? FileManager.default.removeItem(atPath: words) }
            try "조약\n\n약국\n씨발\n".write(toFile: words, atomically: true, encoding: .utf8)
            let taught = try await desk.modctl(
                "model",
                "train",
                "--from-database",
                "--since",
                "1d",
                "--out",
                out,
                "--buckets",
                "4096",
                "--clean-texts",
                words
            )
            #expect(taught.code == 0 && taught.stdout.contains("learned 2 clean texts"), "\(taught.stdout) \(taught.stderr)")
            let withWords = try ModelFile.model(from: String(contentsOfFile: out, encoding: .utf8))
            #expect(withWords.provenance["clean_texts"] == "2 from \(URL(fileURLWithPath: words).lastPathComponent), weight 0.02")
            let missing = try await desk.modctl("model", "train", "--from-database", "--since", "1d", "--out", out, "--clean-texts", words + ".gone")
            #expect(missing.code == 1 && missing.stderr.contains("cannot read"), "\(missing.stderr)")
        }
    }
}
