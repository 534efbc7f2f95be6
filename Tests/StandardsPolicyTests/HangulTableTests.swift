import Foundation
import Testing

@testable import StandardsPolicy

@Suite struct HangulTableTests {
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

@Suite struct ShortcutTests {
    /// The packed syllable table writes what `appendKeys(ofSyllable:)` writes, for every syllable, on its own and after
    /// a unit equal to its first key (where the repeat check must still merge them).
    @Test func syllableTableWritesWhatAppendKeysWrites() {
        for value in UInt32(0xAC00)...0xD7A3 {
            let packed = Hangul.syllableKeys[Int(value - 0xAC00)]
            let first = 0x3131 + UInt32(packed >> 3 & 0x3F)
            for before in [nil, first] {
                var expected = TextView()
                expected.write(capacity: 6) { writer in
                    if let before { writer.append(before, start: 0, end: 1) }
                    Hangul.appendKeys(ofSyllable: value, to: &writer, start: 1, end: 2)
                }
                var view = TextView()
                view.write(capacity: 6) { writer in
                    if let before { writer.append(before, start: 0, end: 1) }
                    writer.appendSyllable(packed, start: 1, end: 2)
                }
                #expect(view.symbols == expected.symbols, "\(String(Unicode.Scalar(value)!))")
                #expect(view.units.map(\.role) == expected.units.map(\.role))
                #expect(view.units.map(\.run) == expected.units.map(\.run))
            }
        }
    }

    /// For every plain scalar of the BMP, the counters' shortcut leaves them exactly as the full step does, whatever
    /// came before (nothing, a letter, a space, a CR, a digit).
    @Test func plainScalarsTakeTheShortcutFaithfully() {
        var plain = 0
        for v in UInt32(0)..<0x10000 where ScalarClass.of(v).isPlain {
            plain += 1
            let scalarClass = ScalarClass.of(v)
            for prefix: [UInt32] in [[], [0x61], [0x20], [0x0D], [0x31], [0xAC00, 0x20]] {
                var limits = TextNormalizer.LimitsCounter()
                var signals = TextNormalizer.SignalsCounter()
                for scalar in prefix {
                    limits.add(scalar, ScalarClass.of(scalar))
                    signals.add(scalar, ScalarClass.of(scalar))
                }
                guard signals.takesPlain else { continue }
                var (fullLimits, fullSignals) = (limits, signals)
                fullLimits.add(v, scalarClass)
                fullSignals.add(v, scalarClass)
                limits.addPlain()
                signals.addPlain(v, scalarClass.kind)
                #expect(limits == fullLimits, "U+\(String(v, radix: 16))")
                #expect(signals == fullSignals, "U+\(String(v, radix: 16))")
            }
        }
        // Most letters and syllables are plain, or the shortcut is never taken.
        #expect(plain > 40_000)
    }
}

@Suite struct KeyboardReadingTests {
    func spells(_ word: String) -> Bool {
        let keys = word.utf8.compactMap { Hangul.dubeolsik($0) }
        return keys.withUnsafeBufferPointer { Hangul.spellsSyllables($0) }
    }

    @Test(arguments: ["tlqkf", "qudtls", "dkssudgktpdy", "tkfkdgo", "wlfkf", "rhkswkd", "dlfrdjqhk"])
    func koreanTypedOnALatinKeyboardParses(word: String) { #expect(spells(word), "\(word)") }

    @Test(arguments: ["this", "comment", "article", "policy", "government", "seoul", "prices", "students"])
    func englishWordsDoNot(word: String) { #expect(!spells(word), "\(word)") }
}
