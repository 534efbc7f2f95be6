import Foundation
import Testing

@testable import StandardsPolicy

@Suite
struct ShortcutTests {
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
