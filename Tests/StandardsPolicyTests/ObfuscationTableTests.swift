import Foundation
import Testing

@testable import StandardsPolicy

/// The obfuscation tables the views read (``Obfuscations``), read whole: each entry, normalized inside a word of the
/// kind it serves, reads as it declares.
@Suite
struct ObfuscationTableTests {
    static func text(_ scalars: UInt32...) -> String { String(String.UnicodeScalarView(scalars.compactMap(Unicode.Scalar.init))) }

    @Test func everyLeetSymbolReadsAsItsLetterInsideALatinWord() {
        for (symbol, letter) in Obfuscations.leetSymbols.entries {
            let view = TextNormalizer.normalize(Self.text(0x62, symbol, 0x63)).latin.symbols
            #expect(view == [0x62, TextNormalizer.foldLatin(letter), 0x63], "b\(symbol)c → \(view)")
        }
        #expect(Obfuscations.leetSymbols.entries.count >= 5)
    }

    @Test func everyLeetDigitReadsAsItsLetterInsideALatinWord() {
        for (digit, letter) in Obfuscations.leetDigits.entries {
            // Between letters no digit stands for (a repeat of its neighbour would collapse into it).
            let view = TextNormalizer.normalize(Self.text(0x78, digit, 0x7A)).latin.symbols
            #expect(view == [0x78, TextNormalizer.foldLatin(letter), 0x7A], "digit \(digit - 0x30) → \(view)")
        }
        // A digit with no entry stays a digit.
        #expect(TextNormalizer.normalize("x2z").latin.symbols == [0x78, 0x32, 0x7A])
    }

    @Test func everyJamoLookAlikeReadsAsItsJamoInsideAHangulWord() {
        for (scalar, jamo) in Obfuscations.jamoLookalikes.entries {
            // Between jamo no look-alike stands for (a repeat of its neighbour would collapse into it).
            let symbols = TextNormalizer.normalize(Self.text(0x314B, scalar, 0x314D)).jamo.symbols
            #expect(symbols.count == 3 && symbols[1] == jamo, "ㅋ\(scalar)ㅍ → \(symbols.map { String($0, radix: 16) })")
        }
        #expect(Obfuscations.jamoLookalikes.entries.count >= 12)
    }

    /// Every key, typed in a word of two syllables that repeats it (a consonant key before ㅏ, a vowel key after ㄱ),
    /// reads as its jamo in the jamo view.
    @Test func everyKeyboardKeyTypesItsJamo() {
        for (key, jamo) in Obfuscations.dubeolsik.entries {
            let vowel = Hangul.isVowel(jamo)
            let syllable: [UInt32] = vowel ? [0x72, key] : [key, 0x6B]  // r = ㄱ, k = ㅏ
            let expected: [UInt32] = vowel ? [0x3131, jamo] : [jamo, 0x314F]
            let typed = String(decoding: (syllable + syllable).map { UInt8($0) }, as: UTF8.self)
            let symbols = TextNormalizer.normalize(typed).jamo.symbols
            let found = symbols.indices.contains { symbols[$0...].starts(with: expected + expected) }
            #expect(found, "\(typed) → \(symbols.map { String($0, radix: 16) })")
        }
        #expect(Obfuscations.dubeolsik.entries.count == 52)
    }

    /// Every spelled digit, in a run long enough to be a number, is read as its digit.
    @Test func everySpelledDigitReadsAsItsDigitInARun() {
        for (syllable, digit) in Obfuscations.spelledDigits.entries {
            let runs = TextNormalizer.normalize(String(repeating: Self.text(syllable), count: 7)).digitRuns
            #expect(runs.count == 1 && runs.first?.digits == [UInt8](repeating: UInt8(digit - 0x30), count: 7), "\(Self.text(syllable))")
        }
        #expect(Obfuscations.spelledDigits.entries.count == 12)
    }

    /// The keyboard's vowel keys, which the opening check reads as a mask, are the table's.
    @Test func theVowelKeyMaskIsTheTables() {
        for letter in UInt32(0)..<26 {
            let jamo = Hangul.dubeolsik(UInt8(0x61 + letter))!
            #expect((Hangul.vowelKeyMask >> letter & 1 == 1) == Hangul.isVowel(jamo), "\(letter)")
        }
    }
}
