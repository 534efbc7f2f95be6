import Foundation
import Testing

@testable import StandardsPolicy

/// Gates and tables that must agree with what they stand for (issue 16's named bugs): each test reads the table itself,
/// so a new entry is covered without a new test.
@Suite struct TableAgreementTests {
    /// Every Korean spoken link form makes a link, and the normalizer's link signal fires for it: the gate reads the
    /// scanner's table (it once listed 닷 but not 점, so `spam점컴` was approved while `spam닷컴` was held).
    @Test func everySpokenLinkFormIsSeenByTheGateAndTheScanner() {
        for (syllables, replacement) in Links.spokenKorean where replacement.first == UInt8(ascii: ".") {
            let form = String(String.UnicodeScalarView(syllables.compactMap(Unicode.Scalar.init)))
            let text = "spam" + form + (replacement.count == 1 ? "com" : "")
            let normalized = TextNormalizer.normalize(text)
            #expect(normalized.mightContainLinks, "\(text): the gate did not fire")
            let verdict = standardsBoard.evaluate(text, context: .textOnly())
            #expect(verdict.reasons.contains("link"), "\(text) → \(verdict.outcome) \(verdict.reasons)")
        }
    }

    /// An explicit scheme is a link whatever its host looks like; the gate used to wait for a dot between letters.
    @Test(arguments: ["go to http://spamhost/win now", "https://localhost", "여기 http://promo/가입"])
    func anExplicitSchemeIsALink(text: String) {
        #expect(TextNormalizer.normalize(text).mightContainLinks, "\(text)")
        #expect(standardsBoard.evaluate(text, context: .textOnly()).reasons.contains("link"), "\(text)")
    }

    /// Every look-alike entry reads as what it declares (a letter as that letter, a digit as that digit), and none is
    /// dead: compatibility folding would not already read it so.
    @Test func everyLatinLookAlikeReadsAsItsDeclaredCharacterAndIsNeeded() {
        for (scalar, declared) in Obfuscations.latinLookalikes.entries {
            let name = "U+\(String(scalar, radix: 16))"
            let scalarClass = ScalarClass.of(scalar)
            #expect(scalarClass.value == declared, "\(name) reads \(scalarClass.value), declared \(declared)")
            #expect(scalarClass.kind == ((0x30...0x39).contains(declared) ? .digit : .latin), "\(name): \(scalarClass.kind)")
            let folded = String(Unicode.Scalar(scalar)!).decomposedStringWithCompatibilityMapping.lowercased()
            #expect(folded.unicodeScalars.map(\.value) != [declared], "\(name): NFKC already reads it, the entry is dead")
        }
        #expect(Obfuscations.latinLookalikes.entries.count > 150)
    }

    /// Enclosed letters beyond the BMP (🅵🆄🅲🅺, 🅕🅤🅒🅚) read as the letters they enclose; digit look-alikes (з for 3)
    /// reach the Latin view as the leet digits they resemble.
    @Test(arguments: [
        ("🅵🆄🅲🅺 you", "profanity"), ("🅕🅤🅒🅚 you", "profanity"), ("🄵🅄🄲🄺 you", "profanity"), ("you are an idiот", "insult"),
        ("you crзtin", "insult"),
    ])
    func enclosedAndDigitLookAlikesAreRead(text: String, reason: String) {
        let verdict = standardsBoard.evaluate(text, context: .textOnly())
        #expect(verdict.reasons.contains(reason), "\(text) → \(verdict.outcome) \(verdict.reasons)")
        #expect(!TextNormalizer.normalize(text).latin.symbols.isEmpty, "\(text) normalized to nothing")
    }

    /// Regional indicators stay flags: 🇰🇷 is no word.
    @Test func regionalIndicatorsAreNotLetters() {
        #expect(standardsBoard.evaluate("🇦🇸🇸 🇰🇷", context: .textOnly()).outcome == .approve)
    }

    /// A bidirectional control always takes the limits counter's path (it does not stand alone), which is where the
    /// bidi_controls rule learns of it: the plain path cannot miss one.
    @Test func bidiControlsTakeTheCountingPath() {
        for v in UInt32(0x2000)...0x206F where TextNormalizer.isBidiControl(v) {
            #expect(ScalarClass.of(v).needsLimitsCount, "U+\(String(v, radix: 16))")
            #expect(TextNormalizer.normalize("a\(Character(Unicode.Scalar(v)!))b").hasBidiControls)
        }
        #expect(!TextNormalizer.normalize("abc \u{200F} 한국").hasBidiControls)
    }

    /// The API and the worker ask the same question about a provider, in any case.
    @Test func providersAreComparedWithoutCase() {
        #expect(standardsBoard.allowsProvider("twitter") && standardsBoard.allowsProvider("Twitter") && standardsBoard.allowsProvider("FACEBOOK"))
        #expect(!standardsBoard.allowsProvider("google") && !standardsBoard.allowsProvider(nil))
    }
}

/// The obfuscation tables the views read (``Obfuscations``), read whole: each entry, normalized inside a word of the
/// kind it serves, reads as it declares.
@Suite struct ObfuscationTableTests {
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
