import Foundation
import StandardsPolicy
import Testing

/// Random Unicode never crashes the engine; normalization is idempotent and its offset maps stay in bounds.
@Suite
struct NormalizerPropertyTests {
    static let ranges: [ClosedRange<UInt32>] = [
        0x00...0x7F, 0x80...0x24F, 0x300...0x36F, 0x370...0x4FF, 0x1100...0x11FF, 0x2000...0x206F, 0x2460...0x24FF, 0x3000...0x318F,
        0x3200...0x33FF, 0x4E00...0x4E50, 0xAC00...0xD7A3, 0xFE00...0xFE0F, 0xFF00...0xFFEF, 0x1D400...0x1D7FF, 0x1F300...0x1F6FF,
        0x1F1E6...0x1F1FF, 0xE0000...0xE007F, 0x10FFF0...0x10FFFD,
    ]

    static func randomText(_ generator: inout SeededGenerator) -> String {
        let length = Int.random(in: 0...120, using: &generator)
        var scalars = String.UnicodeScalarView()
        for _ in 0..<length {
            let range = ranges.randomElement(using: &generator)!
            if let scalar = Unicode.Scalar(UInt32.random(in: range, using: &generator)) { scalars.append(scalar) }
        }
        return String(scalars)
    }

    @Test(arguments: 0..<8)
    func randomUnicodeIsHandled(seed: UInt64) {
        var generator = SeededGenerator(state: seed &* 7919 &+ 1)
        for _ in 0..<400 {
            let text = Self.randomText(&generator)
            let count = text.unicodeScalars.count
            let normalized = TextNormalizer.normalize(text)
            for view in [normalized.latin, normalized.jamo] {
                for index in 0..<view.count {
                    let range = view.originalRange(index..<index + 1)
                    #expect(range.lowerBound >= 0 && range.upperBound <= count && range.lowerBound <= range.upperBound, "\(text.debugDescription)")
                }
            }
            let verdict = standardsBoard.evaluate(text, context: .textOnly())
            #expect(verdict.outcome == (verdict.hits.map(\.action).max() ?? .approve))
            for hit in verdict.hits {
                if let start = hit.start, let end = hit.end { #expect(start >= 0 && start <= end && end <= count, "\(text.debugDescription)") }
            }
            // Folding is idempotent, and the Latin view reads the folded text as it reads the original.
            let folded = TextNormalizer.fold(text)
            #expect(TextNormalizer.fold(folded) == folded, "fold: \(text.debugDescription)")
            #expect(TextNormalizer.normalize(folded).latin.symbols == normalized.latin.symbols, "latin: \(text.debugDescription)")
        }
    }

    /// The character count takes a shortcut when every scalar is a character of its own; it must agree with the
    /// standard library's grapheme clusters on any text, CR LF, emoji sequences, flags and marks included.
    @Test(arguments: 0..<4)
    func characterCountsAgreeWithTheStandardLibrary(seed: UInt64) {
        var generator = SeededGenerator(state: seed &* 104_729 &+ 3)
        let pieces = [
            "\r\n", "\r", "\n", " ", "\u{3000}", "a", "가", "ㅋ", "😂", "👍🏽", "👨\u{200D}👩\u{200D}👧", "🇰🇷", "e\u{301}", "\u{200B}",
            "\u{200D}", "\u{E33}", "ก", "\u{D4E}", "漢", "…", "\u{FE0F}", "\u{1100}\u{1161}", "\t",
        ]
        for _ in 0..<500 {
            var text = ""
            for _ in 0..<Int.random(in: 0...12, using: &generator) {
                text += Bool.random(using: &generator) ? pieces.randomElement(using: &generator)! : Self.randomText(&generator).prefix(3).description
            }
            let expected = Self.standardCount(text)
            let normalized = TextNormalizer.normalize(text)
            #expect(normalized.characterCount == expected.characters, "\(text.debugDescription)")
            #expect(normalized.maxScalarsPerCharacter == expected.maxScalars, "\(text.debugDescription)")
        }
    }

    /// Characters and the most scalars in one, of the text trimmed of Unicode White_Space, counted by `String`.
    static func standardCount(_ text: String) -> (characters: Int, maxScalars: Int) {
        var scalars = Array(text.unicodeScalars)
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        let trimmed = String(String.UnicodeScalarView(scalars))
        return (trimmed.count, trimmed.map(\.unicodeScalars.count).max() ?? 0)
    }

    /// Evaluations reuse pooled buffers; a verdict must not depend on what the buffers held before. Long and short
    /// texts, with and without hits, alternate, and each verdict is compared with one from freshly made buffers.
    @Test func pooledEvaluationMatchesFreshEvaluation() {
        var generator = SeededGenerator(state: 42)
        let texts = [
            "씨발 진짜 " + String(repeating: "기사 잘 읽었습니다 ", count: 20), "ㅋ", "fuck", "", "010-1234-5678", "see spamsite.com now",
            String(repeating: "ⓕⓤⓒⓚ ㈜ ㎉ ﬁ ", count: 30), "좋은 기사", "kim at gmail dot com", "ㅅ ㅂ", "tlqkf", String(repeating: "ㅋ", count: 300),
        ]
        for _ in 0..<300 {
            let text = Bool.random(using: &generator) ? texts.randomElement(using: &generator)! : Self.randomText(&generator)
            let pooled = standardsBoard.evaluate(text, context: .textOnly())
            let fresh = standardsBoard.evaluate(TextNormalizer.normalize(text), context: .textOnly())
            #expect(pooled == fresh, "\(text.debugDescription)")
        }
    }

    /// Text that goes through composition (an accent to combine) keeps its own offsets; its plain words must come out
    /// of the views as they do from text read as is.
    @Test func composedTextWritesTheSameViews() {
        let plain = TextNormalizer.normalize("시발 fuck 좋은 기사")
        let composed = TextNormalizer.normalize("시발 fuck 좋은 기사 cafe\u{301}")
        #expect(Array(composed.jamo.symbols.prefix(plain.jamo.count)) == plain.jamo.symbols)
        #expect(Array(composed.latin.symbols.prefix(plain.latin.count)) == plain.latin.symbols)
        #expect(composed.jamo.originalRange(0..<plain.jamo.count) == plain.jamo.originalRange(0..<plain.jamo.count))
        #expect(composed.latin.originalRange(0..<plain.latin.count) == plain.latin.originalRange(0..<plain.latin.count))
        #expect(composed.latin.text.hasSuffix("cafe"))
        // Random words of syllables (with repeats such as 각각 and 아아, and single syllables that join): the plain
        // path writes each word's later syllables without the repeat check the composed path applies to every key.
        var generator = SeededGenerator(state: 99)
        let syllables: [UInt32] = [0xAC00, 0xAC01, 0xAC15, 0xC544, 0xC554, 0xC2DC, 0xBC1C, 0xB2ED, 0xAC12, 0xC640, 0xD6FD, 0xAE4C]
        for _ in 0..<500 {
            let words = (0..<Int.random(in: 1...4, using: &generator)).map { _ in
                String(
                    String.UnicodeScalarView(
                        (0..<Int.random(in: 1...4, using: &generator)).map { _ in Unicode.Scalar(syllables.randomElement(using: &generator)!)! }
                    )
                )
            }
            let text = words.joined(separator: Bool.random(using: &generator) ? " " : " ㄱ ")
            let asIs = TextNormalizer.normalize(text)
            let viaComposition = TextNormalizer.normalize(text + " e\u{301}")
            #expect(Array(viaComposition.jamo.symbols.prefix(asIs.jamo.count)) == asIs.jamo.symbols, "\(text)")
            #expect(
                viaComposition.jamo.count > asIs.jamo.count
                    && viaComposition.jamo.originalRange(0..<asIs.jamo.count) == asIs.jamo.originalRange(0..<asIs.jamo.count),
                "\(text)"
            )
        }
    }

    /// Compatibility forms that expand to several letters or syllables (circled numbers, squared units, ligatures,
    /// parenthesized Hangul) give the views the most units per scalar; they must fit the bounds the views are
    /// written with, and read as their letters.
    @Test func expansionsFitTheViews() {
        let text = String(repeating: "㈜㈝⑳⒇㎉㏒ﬃ㍱ⓕⓤⓒⓚ ", count: 40)
        let normalized = TextNormalizer.normalize(text)
        #expect(normalized.latin.count > 0)
        #expect(normalized.jamo.count > 0)
        #expect(TextNormalizer.normalize("ⓕⓤⓒⓚ").latin.text == "fuck")
        #expect(standardsBoard.evaluate("ⓕⓤⓒⓚ", context: .textOnly()).outcome == .reject)
    }

    @Test func viewsReadObfuscationsAlike() {
        for text in ["fuck", "FUCK", "f u c k", "f.u.c.k", "ｆｕｃｋ", "ⓕⓤⓒⓚ", "𝐟𝐮𝐜𝐤", "fuuuuck", "f\u{200B}uck", "fսck"] {
            #expect(TextNormalizer.normalize(text).latin.text == "fuck", "\(text)")
        }
        for text in ["시발", "시 발", "시.발", "ㅅㅣㅂㅏㄹ", "tlqkf", "시\u{200B}발", "시1발"] {
            #expect(TextNormalizer.normalize(text).jamo.text == "ㅅㅣㅂㅏㄹ", "\(text)")
        }
        #expect(TextNormalizer.normalize("서울시 발표").jamo.text == "ㅅㅓㅇㅜㄹㅅㅣ ㅂㅏㄹㅍㅛ", "words are not joined")
    }
}
