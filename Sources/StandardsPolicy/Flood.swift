/// Flooding: one character repeated past a limit (laughter such as ㅋㅋㅋ and ㅠㅠ excepted), or one word making
/// up most of a comment.
enum Flood {
    static func find(_ text: NormalizedText, maxRun: Int, ignored: Set<UInt32>, maxRepeatedWord: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        let base = text.base
        var runStart = 0
        for index in 1...max(base.count, 1) {
            if index < base.count, base.scalars[index] == base.scalars[runStart] { continue }
            if runStart < base.count, index - runStart >= maxRun {
                let scalar = base.scalars[runStart]
                let kind = base.classes[runStart].kind
                if !ignored.contains(scalar), kind != .newline, !(kind == .separator && scalar == 0x20) {
                    ranges.append(base.originalRange(runStart..<index))
                }
            }
            runStart = index
        }
        // The same word over and over: at least maxRepeatedWord times and more than half of all words. The majority
        // vote (Boyer–Moore) finds the only word that can be more than half, without sorting or a dictionary.
        let tokens = text.tokens
        if tokens.count >= maxRepeatedWord {
            func hash(_ token: TextNormalizer.Token) -> UInt64 { token.hash }
            var candidate: UInt64 = 0
            var votes = 0
            for token in tokens {
                let value = hash(token)
                if votes == 0 {
                    candidate = value
                    votes = 1
                } else {
                    votes += value == candidate ? 1 : -1
                }
            }
            var first: TextNormalizer.Token?
            var last: TextNormalizer.Token?
            var count = 0
            for token in tokens where hash(token) == candidate {
                count += 1
                if first == nil { first = token }
                last = token
            }
            if count >= maxRepeatedWord, count * 2 > tokens.count, let first, let last {
                ranges.append(base.originalRange(first.start..<last.end))
            }
        }
        return ranges
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
            for symbol in text.latin.symbols where symbol != TextView.boundary { symbols.append(symbol) }
            for (index, symbol) in text.jamo.symbols.enumerated() where symbol != TextView.boundary && !text.jamo.units[index].qwerty {
                symbols.append(symbol)
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
