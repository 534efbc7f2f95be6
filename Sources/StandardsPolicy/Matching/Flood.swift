/// Flooding: one character repeated past a limit (laughter such as ㅋㅋㅋ and ㅠㅠ excepted), or one word making
/// up most of a comment.
enum Flood {
    /// `ignored` (laughter, punctuation) may run up to `maxIgnoredRun`; it is read only for a text with a long run.
    static func find(_ text: NormalizedText, maxRun: Int, ignored: Set<UInt32>, maxIgnoredRun: Int, maxRepeatedWord: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        let base = text.base
        let count = base.count
        // A run of maxRun needs maxRun - 1 repeats, which the normalizer counted: most texts have too few to look.
        if text.repeats >= min(maxRun, maxIgnoredRun) - 1 {
            do {
                let scalars = base.scalars
                var runStart = 0
                for index in 1...max(count, 1) {
                    if index < count, scalars[index] == scalars[runStart] { continue }
                    if runStart < count, index - runStart >= maxRun {
                        let scalar = scalars[runStart]
                        let kind = base.classes[runStart].kind
                        let limit = ignored.contains(scalar) ? maxIgnoredRun : maxRun
                        if index - runStart >= limit, kind != .newline, !(kind == .separator && scalar == 0x20) {
                            ranges.append(base.originalRange(runStart..<index))
                        }
                    }
                    runStart = index
                }
            }
        }
        // The same word over and over: at least maxRepeatedWord times and more than half of all words. One word
        // repeated makes its length the majority, which the counts the word scanner kept tell at once (lengths of 15
        // and more share a count, which a majority vote then splits). The vote (Boyer–Moore) finds the only value that
        // can be more than half, without sorting or a dictionary; it is taken over word hashes only among the words of
        // the majority length.
        let wordCount = text.tokens.count
        guard wordCount >= maxRepeatedWord,
            let counted = (1...TokenList.longWord).first(where: {
                text.tokens.words(ofLength: $0) >= maxRepeatedWord && text.tokens.words(ofLength: $0) * 2 > wordCount
            })
        else { return ranges }
        let tokens = text.tokens.words
        let majorityLength = counted < TokenList.longWord ? UInt64(counted) : majority(tokens, atLeast: maxRepeatedWord, { UInt64($0.visible) })
        guard let length = majorityLength else { return ranges }
        // The words of that length, each with its hash.
        let words = tokens.indices.filter { tokens[$0].visible == Int(length) }.map { (hash: tokens[$0].hash(base), token: $0) }
        guard let word = majority(words, atLeast: maxRepeatedWord, { $0.hash }) else { return ranges }
        let repeated = words.filter { $0.hash == word }
        if repeated.count * 2 > tokens.count {
            ranges.append(base.originalRange(tokens[repeated[0].token].start..<tokens[repeated[repeated.count - 1].token].end))
        }
        return ranges
    }

    /// The value of `key` that more than half of `items` share, if at least `minimum` of them do (Boyer–Moore).
    @inline(__always)
    private static func majority<Items: Collection>(_ items: Items, atLeast minimum: Int, _ key: (Items.Element) -> UInt64) -> UInt64? {
        var candidate: UInt64 = 0
        var votes = 0
        for item in items {
            let value = key(item)
            if votes == 0 {
                candidate = value
                votes = 1
            } else {
                votes += value == candidate ? 1 : -1
            }
        }
        var count = 0
        for item in items where key(item) == candidate { count += 1 }
        return count >= minimum && count * 2 > items.count ? candidate : nil
    }
}

/// Exact and near duplicates of an account's recent comments.
public enum Duplicates {
    /// A comment's letters as the views read them (without word boundaries or keyboard readings), and the hashes of
    /// their trigrams, sorted and unique, for a Jaccard similarity by merging.
    public struct Fingerprint: Sendable, Equatable {
        let symbols: [UInt32]
        let trigrams: [UInt64]

        init(_ text: NormalizedText) {
            var symbols: [UInt32] = []
            symbols.reserveCapacity(text.latin.count + text.jamo.count)
            for index in 0..<text.latin.count where text.latin.symbol(index) != TextView.boundary { symbols.append(text.latin.symbol(index)) }
            for index in 0..<text.jamo.count where text.jamo.symbol(index) != TextView.boundary && !text.jamo.unit(index).qwerty {
                symbols.append(text.jamo.symbol(index))
            }
            self.symbols = symbols
            var trigrams: [UInt64] = []
            if symbols.count >= 3 {
                trigrams.reserveCapacity(symbols.count - 2)
                for start in 0...(symbols.count - 3) {
                    trigrams.append(UInt64(symbols[start]) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(symbols[start + 1]) << 21 ^ UInt64(symbols[start + 2]))
                }
                trigrams.sort()
                var unique = 0
                for value in trigrams where unique == 0 || trigrams[unique - 1] != value {
                    trigrams[unique] = value
                    unique += 1
                }
                trigrams.removeLast(trigrams.count - unique)
            }
            self.trigrams = trigrams
        }

        /// Whether there is enough text to compare.
        var isComparable: Bool { symbols.count >= 2 }
    }

    /// 1.0 for equal fingerprints, otherwise the Jaccard similarity of their trigram sets (0 when it cannot reach
    /// `atLeast`, which the sizes alone can tell).
    static func similarity(_ a: Fingerprint, _ b: Fingerprint, atLeast threshold: Double) -> Double {
        if a.symbols == b.symbols { return 1 }
        let x = a.trigrams
        let y = b.trigrams
        guard !x.isEmpty, !y.isEmpty, Double(min(x.count, y.count)) / Double(max(x.count, y.count)) >= threshold else { return 0 }
        var i = 0
        var j = 0
        var shared = 0
        while i < x.count, j < y.count {
            if x[i] == y[j] {
                shared += 1
                i += 1
                j += 1
            } else if x[i] < y[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return Double(shared) / Double(x.count + y.count - shared)
    }
}
