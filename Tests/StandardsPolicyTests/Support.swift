import Foundation
import StandardsPolicy
import Testing

/// The default policy, compiled once for all tests.
let standardsBoard: CompiledPolicy = {
    do {
        return try CompiledPolicy.standardsBoard()
    } catch {
        fatalError("the default policy does not load: \(error)")
    }
}()

/// The default policy's rules, its learned model left out: what the case suites below test. The model is statistical
/// (on unseen labelled comments it holds about 3 in 100 clean ones by design), so it is tested by its rates
/// (``ModelInThePolicyTests``), never sentence by sentence.
let standardsBoardRules: CompiledPolicy = {
    do {
        return try CompiledPolicy(bundle: .standardsBoard, leavingOut: \.isLearnedModel)
    } catch {
        fatalError("the default policy does not load: \(error)")
    }
}()

/// One expectation: the text's outcome under the default policy's rules, and reasons that must be among its hits.
struct PolicyCase: CustomTestStringConvertible, Sendable {
    var text: String
    var outcome: Action
    var reasons: [String]
    var note: String

    init(_ text: String, _ outcome: Action, _ reasons: [String] = [], _ note: String = "") {
        self.text = text
        self.outcome = outcome
        self.reasons = reasons
        self.note = note
    }

    var testDescription: String { note.isEmpty ? text.debugDescription : "\(note): \(text.debugDescription)" }
}

func check(_ policyCase: PolicyCase, context: EvaluationContext = .textOnly(), sourceLocation: SourceLocation = #_sourceLocation) {
    let verdict = standardsBoardRules.evaluate(policyCase.text, context: context)
    #expect(
        verdict.outcome == policyCase.outcome,
        "\(policyCase.testDescription) → \(verdict.outcome) \(verdict.hits.map { "\($0.rule)[\($0.matched ?? "")]" })",
        sourceLocation: sourceLocation
    )
    for reason in policyCase.reasons {
        #expect(
            verdict.reasons.contains(reason),
            "\(policyCase.testDescription): missing reason \(reason), got \(verdict.reasons)",
            sourceLocation: sourceLocation
        )
    }
    let count = policyCase.text.unicodeScalars.count
    for hit in verdict.hits {
        if let start = hit.start, let end = hit.end {
            #expect(0 <= start && start < end && end <= count, "span \(start)..<\(end) out of bounds", sourceLocation: sourceLocation)
        }
    }
}
