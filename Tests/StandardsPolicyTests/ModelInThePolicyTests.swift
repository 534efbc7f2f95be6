import Foundation
import StandardsPolicy
import Testing

/// The default policy as it ships, learned model included, on the comments the case suites say must pass: the model
/// may hold a few (it is tuned to approve 97 % of clean comments, with the rules), never reject one, and never hold a
/// comment for its length, its language or its repetitions alone.
@Suite
struct ModelInThePolicyTests {
    static let innocent = (TrapTests.cases + AccuracyCases.everydayWords + LimitTests.cases).filter { $0.outcome == .approve }

    @Test func theModelHoldsFewInnocentCommentsAndRejectsNone() {
        #expect(standardsBoard.document.rules.contains { $0.isLearnedModel }, "the default policy ships its model")
        let verdicts = Self.innocent.map { ($0.text, standardsBoard.evaluate($0.text, context: .textOnly())) }
        let held = verdicts.filter { $0.1.outcome != .approve }
        #expect(held.allSatisfy { $0.1.outcome == .hold && $0.1.hits.allSatisfy { $0.rule == "abuse-model" } }, "\(held.map(\.0))")
        #expect(Double(held.count) <= 0.03 * Double(verdicts.count), "held \(held.count) of \(verdicts.count): \(held.map(\.0))")
        // English, long and repetitive comments: the model was trained on Korean, and counts a feature once.
        for text in [
            LimitTests.sentence + LimitTests.sentence, String(repeating: LimitTests.hangul, count: 10), "Visit koreajoongangdaily.joins.com for more",
        ] {
            #expect(standardsBoard.evaluate(text, context: .textOnly()).outcome == .approve, "\(text)")
        }
    }
}
