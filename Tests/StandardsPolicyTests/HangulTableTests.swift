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

    /// For every BMP scalar that is no signal, the signal counter's shortcut leaves it exactly as the full step does,
    /// whatever came before (nothing, a letter, a space, a CR, a digit).
    @Test func scalarsWithoutSignalsTakeTheShortcutFaithfully() {
        var quiet = 0
        for v in UInt32(0)..<0x10000 where !ScalarClass.of(v).isSignal {
            quiet += 1
            let scalarClass = ScalarClass.of(v)
            for prefix: [UInt32] in [[], [0x61], [0x20], [0x0D], [0x31], [0xAC00, 0x20]] {
                var signals = TextNormalizer.SignalsCounter()
                for scalar in prefix { signals.add(scalar, ScalarClass.of(scalar)) }
                guard signals.takesPlain else { continue }
                var fullSignals = signals
                fullSignals.add(v, scalarClass)
                signals.addPlain(v, scalarClass.kind)
                #expect(signals == fullSignals, "U+\(String(v, radix: 16))")
            }
        }
        // Most scalars are no signal, or the shortcut is never taken.
        #expect(quiet > 60_000)
    }

    /// The word traits in the class table say what the kinds say: word characters, skipped scalars, and letters of
    /// the original that are not ASCII.
    @Test func wordTraitsFollowTheKinds() {
        typealias Traits = TextNormalizer.WordTraits
        for v in UInt32(0)..<0x10000 {
            guard Unicode.Scalar(v) != nil else { continue }
            let scalarClass = ScalarClass.of(v)
            let kind = scalarClass.kind
            let skipped = kind == .invisible || kind == .combining
            #expect((scalarClass.word & Traits.skip != 0) == skipped, "U+\(String(v, radix: 16))")
            #expect((scalarClass.word & Traits.word != 0) == (!skipped && TextNormalizer.isWordCharacter(kind)), "U+\(String(v, radix: 16))")
            // Only an ASCII letter leaves a word readable on the keyboard.
            if scalarClass.word & (Traits.word | Traits.joins) != 0, kind != .expansion {  // expansions: see expansionTraits
                #expect(
                    (scalarClass.word & Traits.notASCIILetter == 0) == ((0x41...0x5A).contains(v) || (0x61...0x7A).contains(v)),
                    "U+\(String(v, radix: 16))"
                )
            }
        }
    }

    /// The join marks set with one bit per word are those set word by word, for any mix of Hangul, Latin, digit,
    /// one-letter and two-letter words, up to the 64 words the masks hold.
    @Test func joinMasksMarkAsWordByWord() {
        typealias Traits = TextNormalizer.WordTraits
        var generator = SeededGenerator(state: 31)
        let traits: [UInt8] = [Traits.hangul, Traits.latin, Traits.digit, Traits.latin | Traits.digit, Traits.hangul | Traits.latin]
        var joins = 0
        for _ in 0..<5_000 {
            let count = Int.random(in: 0...64, using: &generator)
            let words = (0..<count).map { index in
                TextNormalizer.Token(
                    start: 2 * index,
                    end: 2 * index + 1,
                    traits: traits.randomElement(using: &generator)!,
                    visible: [1, 1, 2, 3].randomElement(using: &generator)!,
                    extraJamo: 0
                )
            }
            var masked = words
            var byWord = words
            do {
                var span = masked.mutableSpan
                TextNormalizer.markJoins(&span, count: words.count)
            }
            do {
                var span = byWord.mutableSpan
                TextNormalizer.markJoinsWordByWord(&span, count: words.count)
            }
            for (mask, word) in zip(masked, byWord) {
                #expect(mask.hangulContext == word.hangulContext && mask.jamoJoin == word.jamoJoin && mask.latinJoin == word.latinJoin)
                if word.jamoJoin || word.latinJoin { joins += 1 }
            }
        }
        #expect(joins > 1_000)
    }

    /// The word scanner splits words as its rules say, read here one scalar at a time: a word is a run of word
    /// characters; invisible characters and stray combining marks neither start nor split one (nor end it: a word
    /// ends at its last scalar that is not skipped); a leet symbol or the mask `*` belongs to a word between word
    /// characters, `$` after one, `^` before Hangul, and any other symbol (not whitespace) to a word when it sits
    /// between two syllables with at most three more symbols on each side.
    @Test func wordScannerFollowsTheRules() {
        let alphabet: [UInt32] = [
            0x61, 0x41, 0x62, 0x31, 0x30, 0xAC00, 0xAC01, 0x314B, 0x3145, 0x20, 0x2E, 0x21, 0x40, 0x24, 0x5E, 0x7C, 0x2B, 0x200B, 0xAD,
            0x301, 0xFB01, 0x2460, 0x3218, 0x6F22, 0xE9, 0x44B, 0x2D, 0x0A, 0x1F44D, 0xFF41, 0x2A, 0xD558,
        ]
        var generator = SeededGenerator(state: 11)
        var joined = 0
        for _ in 0..<5_000 {
            let length = Int.random(in: 0...16, using: &generator)
            let text = String(String.UnicodeScalarView((0..<length).map { _ in Unicode.Scalar(alphabet.randomElement(using: &generator)!)! }))
            let normalized = TextNormalizer.normalize(text)
            let expected = Self.referenceWords(normalized.base)
            let words = Array(normalized.tokens.words)
            #expect(words.count == expected.count, "\(text.debugDescription)")
            for (word, reference) in zip(words, expected) {
                #expect(word.start == reference.start && word.end == reference.end, "\(text.debugDescription)")
                #expect(word.visible == reference.visible, "\(text.debugDescription)")
                #expect(word.hasLatin == reference.hasLatin && word.hasHangul == reference.hasHangul, "\(text.debugDescription)")
                #expect(word.hasDigit == reference.hasDigit && word.asciiLettersOnly == reference.asciiLettersOnly, "\(text.debugDescription)")
                #expect(word.onlySyllables == reference.onlySyllables, "\(text.debugDescription)")
                #expect(word.onlyASCIILetters == reference.onlyASCIILetters, "\(text.debugDescription)")
            }
            if expected.contains(where: { word in (word.start..<word.end).contains { normalized.base.classes[$0].kind == .separator } }) {
                joined += 1
            }
        }
        // Leet symbols joined words often enough for the rule to be exercised.
        #expect(joined > 200)
    }

    /// Whether the symbol at `index` has, on each side, a syllable behind at most three symbols (not whitespace) and
    /// skipped scalars.
    static func symbolBetweenSyllables(_ index: Int, _ base: BaseText) -> Bool {
        guard !TextNormalizer.isWhitespace(base.scalars[index]) else { return false }
        func reaches(_ positions: some Sequence<Int>) -> Bool {
            var symbols = 0
            for position in positions {
                switch base.classes[position].kind {
                case .syllable: return true
                case .invisible, .combining: continue
                case .separator where !TextNormalizer.isWhitespace(base.scalars[position]) && symbols < 3: symbols += 1
                default: return false
                }
            }
            return false
        }
        return reaches(stride(from: index - 1, through: 0, by: -1)) && reaches((index + 1)..<base.count)
    }

    /// The words of `base` by the rules of ``wordScannerFollowsTheRules()``, one scalar at a time.
    static func referenceWords(_ base: BaseText) -> [TextNormalizer.Token] {
        typealias Traits = TextNormalizer.WordTraits
        let kinds = (0..<base.count).map { base.classes[$0].kind }
        let skipped = { (index: Int) in kinds[index] == .invisible || kinds[index] == .combining }
        // The next scalar after `index` that is not skipped.
        let next = { (index: Int) in ((index + 1)..<max(base.count, index + 1)).first { !skipped($0) } }
        var included = [Bool](repeating: false, count: base.count)
        var previousIncluded = false
        for index in 0..<base.count where !skipped(index) {
            let scalar = base.scalars[index]
            let nextKind = next(index).map { kinds[$0] }
            let nextIsWord = nextKind.map(TextNormalizer.isWordCharacter) ?? false
            if TextNormalizer.isWordCharacter(kinds[index]) {
                included[index] = true
            } else if kinds[index] == .separator {
                let leet = TextNormalizer.leetLetter(scalar) != nil || scalar == 0x2A
                included[index] =
                    (leet && previousIncluded && nextIsWord) || (scalar == 0x24 && previousIncluded)
                    || (scalar == 0x5E && (nextKind == .jamo || nextKind == .syllable))
                    || (previousIncluded && Self.symbolBetweenSyllables(index, base))
            }
            previousIncluded = included[index]
        }
        var words: [TextNormalizer.Token] = []
        var index = 0
        while index < base.count {
            guard included[index] else {
                index += 1
                continue
            }
            let start = index
            var last = index
            var traits: UInt8 = 0
            var visible = 0
            var extraJamo = 0
            while index < base.count, included[index] || skipped(index) {
                if included[index] {
                    last = index
                    let scalarClass = base.classes[index]
                    if kinds[index] == .expansion {
                        let letters = ScalarClass.expansions[Int(scalarClass.value)].unicodeScalars.map(\.value)
                        let kind = letters.contains { $0 >= 0x3131 } ? Traits.hangul : letters.contains { $0 >= 0x61 } ? Traits.latin : Traits.digit
                        traits |= kind | Traits.notASCIILetter | Traits.expansion
                        visible += letters.count
                        extraJamo += 4 * letters.count
                    } else {
                        traits |= scalarClass.word
                        visible += 1
                        extraJamo += Int(scalarClass.extraJamo)
                    }
                }
                index += 1
            }
            words.append(TextNormalizer.Token(start: start, end: last + 1, traits: traits & Traits.kept, visible: visible, extraJamo: extraJamo))
            index = last + 1
        }
        return words
    }

    /// Text without a scalar that needs counting has the limits the counter would count, read off its ends; and
    /// the flag is set on what the counter must see (line breaks, controls, joiners).
    @Test func plainLimitsAgreeWithTheCounter() {
        let alphabet: [UInt32] = [0x20, 0x61, 0x41, 0xAC00, 0x3131, 0x31, 0x2E, 0x3000, 0xA0, 0x3164, 0x1F44D, 0x4E00, 0x2028, 0x200B, 0xAD]
        var generator = SeededGenerator(state: 7)
        var plain = 0
        for _ in 0..<3_000 {
            let length = Int.random(in: 0...12, using: &generator)
            let scalars = (0..<length).map { _ in Unicode.Scalar(alphabet.randomElement(using: &generator)!)! }
            let text = String(String.UnicodeScalarView(scalars))
            var counter = TextNormalizer.MeasuresCounter()
            for scalar in text.unicodeScalars { counter.add(scalar.value, ScalarClass.of(scalar.value)) }
            let counted = counter.result(text)
            let normalized = TextNormalizer.normalize(text)
            #expect(normalized.characterCount == counted.characters, "\(text.debugDescription)")
            #expect(normalized.maxScalarsPerCharacter == counted.maxScalars, "\(text.debugDescription)")
            #expect(normalized.isBlank == counted.blank, "\(text.debugDescription)")
            #expect(normalized.lineCount == counted.lines, "\(text.debugDescription)")
            #expect(normalized.hasControlCharacters == counted.control, "\(text.debugDescription)")
            if !text.unicodeScalars.contains(where: { ScalarClass.of($0.value).needsLimitsCount }) { plain += 1 }
        }
        #expect(plain > 500)
        for v: UInt32 in [0x0A, 0x0D, 0x09, 0x00, 0x85, 0x200D, 0x301, 0x1F1F0, 0x1F3FD] {
            #expect(ScalarClass.of(v).needsLimitsCount, "U+\(String(v, radix: 16))")
        }
    }
}

@Suite struct KeyboardReadingTests {
    func spells(_ word: String) -> Bool {
        let keys = word.utf8.compactMap { Hangul.dubeolsik($0) }
        return Hangul.spellsSyllables(keys)
    }

    @Test(arguments: ["tlqkf", "qudtls", "dkssudgktpdy", "tkfkdgo", "wlfkf", "rhkswkd", "dlfrdjqhk"])
    func koreanTypedOnALatinKeyboardParses(word: String) { #expect(spells(word), "\(word)") }

    @Test(arguments: ["this", "comment", "article", "policy", "government", "seoul", "prices", "students"])
    func englishWordsDoNot(word: String) { #expect(!spells(word), "\(word)") }

    /// The keyboard map: 두벌식 letters for both cases, and the shifted keys for tense consonants and ㅒ ㅖ.
    @Test func keysMapAsOnTheKeyboard() {
        var expected = [UInt32?](repeating: nil, count: 0x100)
        for (key, letter) in zip("qwertyuiopasdfghjklzxcvbnm".utf8, "ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔㅁㄴㅇㄹㅎㅗㅓㅏㅣㅋㅌㅊㅍㅠㅜㅡ".unicodeScalars) {
            expected[Int(key)] = letter.value
            expected[Int(key) - 0x20] = letter.value
        }
        for (key, letter) in zip("QWERTOP".utf8, "ㅃㅉㄸㄲㅆㅒㅖ".unicodeScalars) { expected[Int(key)] = letter.value }
        for key in 0..<0x100 { #expect(Hangul.dubeolsik(UInt8(key)) == expected[key], "\(key)") }
        #expect(TextNormalizer.atHash == TextNormalizer.wordHash("at"))
        #expect(TextNormalizer.dotHash == TextNormalizer.wordHash("dot"))
    }

    /// The two-letter shortcut never turns away a word that reads as Korean.
    /// The opening check's vowel-key mask says what the keyboard map says, for every pair of bytes.
    @Test func theOpeningCheckReadsTheKeyboardMap() {
        for first in UInt8.min...UInt8.max {
            for second in UInt8.min...UInt8.max {
                let expected: Bool
                if let initial = Hangul.dubeolsik(first), let vowel = Hangul.dubeolsik(second) {
                    expected = !Hangul.isVowel(initial) && Hangul.isVowel(vowel)
                } else {
                    expected = false
                }
                #expect(Hangul.opensSyllable(first, second) == expected, "\(first) \(second)")
            }
        }
    }

    @Test func theOpeningCheckKeepsEveryReading() {
        var generator = SeededGenerator(state: 11)
        let letters = Array("qwertyuiopasdfghjklzxcvbnmQWERTYUIOPASDFGHJKLZXCVBNM".utf8)
        var readings = 0
        for _ in 0..<20_000 {
            let word = (0..<Int.random(in: 4...8, using: &generator)).map { _ in letters.randomElement(using: &generator)! }
            let reads = spells(String(decoding: word, as: UTF8.self))
            if reads { readings += 1 }
            #expect(!reads || Hangul.opensSyllable(word[0], word[1]), "\(String(decoding: word, as: UTF8.self))")
        }
        #expect(readings > 100)
    }
}

/// Every rule is evaluated for every context (no hand-kept "quiet context" shortcut): each fact a context rule acts on,
/// changed alone from an ordinary reader's context, makes some rule fire, and the ordinary context lets the text decide.
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
        for text in Self.texts {
            // In the ordinary context only the text decides: the same verdict as the text-only context.
            #expect(standardsBoard.evaluate(text, context: quiet) == standardsBoard.evaluate(text, context: .textOnly(now: now)), "\(text)")
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

@Suite struct MaskTests {
    /// A personal-information match keeps its first two characters and its separators; every letter and digit after
    /// them is masked, in any script or width.
    @Test(arguments: [
        ("010-1234-5678", "01*-****-****"), ("kim@gmail.com", "ki*@*****.***"), ("김철수", "김철*"), ("０１０１２３", "０１****"),
        ("900101-1234567", "90****-*******"), ("ab", "ab"), ("신한은행 110", "신한** ***"), ("e\u{301}tu\u{301}de", "e\u{301}t***"),
        ("ab\r\n12", "ab\r\n**"), ("👍🏽 010", "👍🏽 ***"),
    ])
    func masksLettersAndDigitsAfterTheFirstTwo(text: String, masked: String) {
        #expect(CompiledPolicy.mask(text) == masked)
    }
}

@Suite struct HitTextTests {
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
