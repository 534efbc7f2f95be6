import Foundation
import Testing

@testable import StandardsPolicy

@Suite
struct HangulTableTests {
    /// The arithmetic and switch tables agree with Foundation's canonical decomposition for all 11,172 syllables.
    @Test func everySyllableDecomposesAsNFDSays() {
        for value in UInt32(0xAC00)...0xD7A3 {
            var view = TextView()
            view.write(capacity: 5) { Hangul.appendKeys(ofSyllable: value, to: &$0, start: 0, end: 1) }
            var expected = TextView()
            let roles: [TextView.Role] = [.initial, .vowel, .final]
            expected.write(capacity: 5) { writer in
                for (position, scalar) in String(Unicode.Scalar(value)!).decomposedStringWithCanonicalMapping.unicodeScalars.enumerated() {
                    let jamo = Hangul.compatibilityJamo(forConjoiningOrHalfwidth: scalar.value)!
                    Hangul.appendKeys(of: jamo, to: &writer, start: 0, end: 1, role: roles[position])
                }
            }
            #expect(view.symbols == expected.symbols, "\(String(Unicode.Scalar(value)!))")
            #expect(view.units.map(\.role) == expected.units.map(\.role))
        }
    }
}

extension EvaluationContext {
    fileprivate func with(_ change: (inout EvaluationContext) -> Void) -> EvaluationContext {
        var copy = self
        change(&copy)
        return copy
    }
}
