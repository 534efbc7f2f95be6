import Foundation
import Testing

@testable import StandardsPolicy

/// Gates and tables that must agree with what they stand for (issue 16's named bugs): each test reads the table itself,
/// so a new entry is covered without a new test.
@Suite
struct TableAgreementTests {
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
