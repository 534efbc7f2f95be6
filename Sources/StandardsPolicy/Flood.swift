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
enum Duplicates {
    /// The comment's letters as the views read them, without word boundaries or keyboard readings.
    static func fingerprint(_ text: NormalizedText) -> [UInt32] {
        var symbols: [UInt32] = []
        symbols.reserveCapacity(text.latin.count + text.jamo.count)
        for symbol in text.latin.symbols where symbol != TextView.boundary { symbols.append(symbol) }
        for (index, symbol) in text.jamo.symbols.enumerated() where symbol != TextView.boundary && !text.jamo.units[index].qwerty {
            symbols.append(symbol)
        }
        return symbols
    }

    /// 1.0 for equal fingerprints, otherwise the Jaccard similarity of their symbol trigrams.
    static func similarity(_ a: [UInt32], _ b: [UInt32]) -> Double {
        if a == b { return 1 }
        guard a.count >= 3, b.count >= 3 else { return 0 }
        func trigrams(_ s: [UInt32]) -> Set<[UInt32]> { Set((0...(s.count - 3)).map { Array(s[$0..<$0 + 3]) }) }
        let x = trigrams(a)
        let y = trigrams(b)
        let union = x.union(y).count
        return union == 0 ? 0 : Double(x.intersection(y).count) / Double(union)
    }
}
