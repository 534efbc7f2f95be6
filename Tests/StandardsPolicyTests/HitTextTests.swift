import Foundation
import Testing

@testable import StandardsPolicy

@Suite
struct HitTextTests {
    /// A hit's text is the original's scalars over its range, whether the text was read as is (written out from the
    /// base text) or composed (walked in the original).
    @Test func hitTextIsTheOriginalSlice() {
        var generator = SeededGenerator(state: 23)
        var composed = 0
        for _ in 0..<2_000 {
            let text = NormalizerPropertyTests.randomText(&generator)
            let scalars = Array(text.unicodeScalars)
            guard !scalars.isEmpty else { continue }
            let normalized = TextNormalizer.normalize(text)
            if !normalized.base.identity { composed += 1 }
            let lower = Int.random(in: 0..<scalars.count, using: &generator)
            let upper = Int.random(in: lower...scalars.count, using: &generator)
            let expected = String(String.UnicodeScalarView(scalars[lower..<upper]))
            #expect(CompiledPolicy.original(normalized, lower..<upper) == expected, "\(text.debugDescription) \(lower)..<\(upper)")
        }
        #expect(composed > 100)
    }
}
