import Foundation
import Testing

@testable import StandardsPolicy

@Suite
struct EmojiTableTests {
    /// The emoji table holds exactly what classifying each scalar gives.
    @Test func emojiTableMatchesClassification() {
        for value in ScalarClass.emojiRange {
            #expect(ScalarClass.classifySupplementary(value) == ScalarClass.computeSupplementary(value), "U+\(String(value, radix: 16))")
        }
        #expect(ScalarClass.classifySupplementary(0x1F44D).kind == .separator)  // 👍
    }
}
