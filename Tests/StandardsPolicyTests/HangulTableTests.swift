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

/// A quiet context (see `CompiledPolicy.isQuiet`) lets the rule loop visit only the checks that read the text: the
/// verdicts must be those of the full loop, and any one fact that could make a context rule fire must end the quiet.
@Suite struct QuietContextTests {
    static let texts = ["좋은 기사 감사합니다", "fuck this", "010-1234-5678로 연락", "see spamsite.com now", "", String(repeating: "ㅋ", count: 300)]

    @Test func quietContextsGiveTheFullLoopsVerdicts() {
        let now = Date()
        let quiet = EvaluationContext.textOnly(now: now)
        let recent = [EvaluationContext.RecentComment(submittedAt: now.addingTimeInterval(-5), article: "a", body: "좋은 기사 감사합니다")]
        var loud: [(String, EvaluationContext)] = []
        func variant(_ name: String, _ change: (inout EvaluationContext) -> Void) {
            var context = quiet
            change(&context)
            loud.append((name, context))
        }
        variant("anonymous") { $0.authenticated = false }
        variant("provider") { $0.provider = "myspace" }
        variant("no provider") { $0.provider = nil }
        variant("suspended") { $0.accountStatus = .suspended }
        variant("banned") { $0.accountStatus = .banned }
        variant("closed") { $0.articleClosed = true }
        variant("recent comments") { $0.recentComments = recent }
        variant("new commenter") { $0.approvedCount = 0 }
        variant("rejections") {
            $0.recentDecisions = 50
            $0.recentRejections = 50
        }
        #expect(standardsBoard.isQuiet(quiet))
        #expect(standardsBoard.isQuiet(EvaluationContext.textOnly(now: now).with { $0.provider = "Twitter" }))
        for (name, context) in loud { #expect(!standardsBoard.isQuiet(context), "\(name)") }
        for text in Self.texts {
            for context in [quiet] + loud.map(\.1) {
                var normalized = TextNormalizer.normalize(text)
                var terms = TermScratch()
                let short = standardsBoard.evaluate(normalized: &normalized, context: context, terms: &terms)
                let full = standardsBoard.evaluate(normalized: &normalized, context: context, terms: &terms, visitAll: true)
                #expect(short == full, "\(text)")
            }
        }
        // Each loud variant is loud for a reason a rule acts on: some rule about the context fires.
        for (name, context) in loud {
            #expect(standardsBoard.evaluate("좋은 기사 감사합니다", context: context).outcome != .approve, "\(name)")
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

@Suite struct EmojiTableTests {
    /// The emoji table holds exactly what classifying each scalar gives.
    @Test func emojiTableMatchesClassification() {
        for value in ScalarClass.emojiRange {
            #expect(ScalarClass.classifySupplementary(value) == ScalarClass.computeSupplementary(value), "U+\(String(value, radix: 16))")
        }
        #expect(ScalarClass.classifySupplementary(0x1F44D).kind == .separator)  // 👍
    }
}
