import Foundation
import PolicyTools
import StandardsPolicy
import Testing

/// `modctl policy evaluate`'s core: reading labelled files and counting what the policy does with each label.
@Suite
struct LabelledEvaluationTests {
    @Test func aTabSeparatedFileIsReadByItsHeader() throws {
        let file = "id\tcomments\thate\n1\t좋은 기사\tnone\n\n2\tyou idiot\thate\r\n"
        let rows = try LabelledEvaluation.read(file, jsonLines: false, textColumn: "comments", labelColumn: "hate")
        #expect(rows == [.init(label: "none", text: "좋은 기사"), .init(label: "hate", text: "you idiot")])
    }

    @Test func jsonLinesAreReadByTheirKeys() throws {
        let file = #"{"text": "hello", "label": 0}"# + "\n" + #"{"text": "fuck off", "label": "bad"}"# + "\n"
        let rows = try LabelledEvaluation.read(file, jsonLines: true, textColumn: "text", labelColumn: "label")
        #expect(rows == [.init(label: "0", text: "hello"), .init(label: "bad", text: "fuck off")])
    }

    @Test(arguments: [
        ("comments\tlabel\nonly one field\n", false, "line 2: 1 fields"),
        ("text\tlabel\n", false, "no column \"comments\""),
        (#"{"comments": 3, "label": "x"}"#, true, "line 1: not a JSON object"),
    ])
    func malformedFilesNameTheProblem(file: String, jsonLines: Bool, message: String) {
        #expect {
            try LabelledEvaluation.read(file, jsonLines: jsonLines, textColumn: "comments", labelColumn: "label")
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func figuresCountEachLabelAndWhy() throws {
        let policy = try CompiledPolicy.standardsBoard()
        let rows: [LabelledEvaluation.Row] = [
            .init(label: "none", text: "장관은 오늘 국회에 출석했다"), .init(label: "none", text: "좋은 기사 감사합니다"),
            .init(label: "hate", text: "you idiot"), .init(label: "hate", text: "이런 씨발"), .init(label: "hate", text: "좋은 하루"),
        ]
        let evaluation = LabelledEvaluation(rows: rows, policy: policy, cleanLabel: "none", sampleLimit: 5)
        let none = try #require(evaluation.labels.first { $0.label == "none" })
        let hate = try #require(evaluation.labels.first { $0.label == "hate" })
        #expect(none.count == 2 && none.approved == 2 && none.blocked == 0)
        #expect(hate.count == 3 && hate.approved == 1 && hate.held == 1 && hate.rejected == 1)
        #expect(hate.reasons == ["insult": 1, "profanity": 1])
        #expect(hate.matches["씨발"] == 1 && hate.matches["idiot"] == 1)
        #expect(evaluation.wrong["hate"] == ["좋은 하루"] && evaluation.wrong["none"] == nil)
        let report = evaluation.render()
        #expect(report.contains("none (clean) 2         100.0 %"), "\(report)")
        #expect(report.contains("reasons: insult 1, profanity 1"), "\(report)")
        #expect(report.contains("approved: 좋은 하루"), "\(report)")
    }
}
