// Joins: which neighbouring words the views read as one (spaced-out letters and syllables).

extension TextNormalizer {
    /// Marks how the views join words: three or more one-letter Latin words in a row read as one word (f u c k,
    /// f.u.c.k); short non-Hangul words between Hangul words are read in Hangul context (ㅅ 1 ㅂ); two or more
    /// one-character Hangul-context words in a row join up (시 발, ㅅ.ㅂ).
    /// The words come fresh from the tokenizer, with no marks set, so only the marks that hold are written.
    ///
    /// A text of up to 64 words (nearly every comment) is marked with one bit per word: each rule looks at a word's
    /// neighbours, which shifting a mask by one brings beside it. Longer texts go word by word
    /// (``markJoinsWordByWord(_:)``, the same rules, which a test holds the masks to).
    static func markJoins(_ tokens: inout MutableSpan<Token>, count: Int) {
        guard count <= 64 else { return markJoinsWordByWord(&tokens, count: count) }
        var hangul: UInt64 = 0
        var short: UInt64 = 0
        var one: UInt64 = 0
        var latinOne: UInt64 = 0
        for index in 0..<count {
            let token = tokens[index]
            let bit: UInt64 = 1 << index
            if token.hasHangul { hangul |= bit }
            if token.visible <= 2 { short |= bit }
            if token.visible == 1 {
                one |= bit
                if token.hasLatin { latinOne |= bit }
            }
        }
        // Bit i of `mask << 1` is bit i - 1 of the mask (the word before), of `mask >> 1` bit i + 1 (the word after).
        let context = hangul | (short & (hangul << 1 | hangul >> 1))
        let single = context & one
        // A word joins the next when both are single; a one-letter Latin word joins the next one-letter Latin word when
        // the pair sits in a run of three or more (the pair before or the pair after is one too).
        let jamoJoin = single & single >> 1
        let latinPairs = latinOne & latinOne >> 1
        let latinJoin = latinPairs & (latinPairs << 1 | latinPairs >> 1)
        var marked = context | jamoJoin | latinJoin
        while marked != 0 {
            let index = marked.trailingZeroBitCount
            let bit: UInt64 = 1 << index
            marked &= marked &- 1
            if context & bit != 0 { tokens[index].hangulContext = true }
            if jamoJoin & bit != 0 { tokens[index].jamoJoin = true }
            if latinJoin & bit != 0 { tokens[index].latinJoin = true }
        }
    }

    /// ``markJoins(_:)`` one word at a time, for texts of any number of words.
    static func markJoinsWordByWord(_ tokens: inout MutableSpan<Token>, count: Int) {
        // The first of the current run of one-letter Latin words.
        var runStart = 0
        // Whether the word before is one character read in Hangul context.
        var previousSingle = false
        // Whether the words before, at and after `index` hold Hangul.
        var previousHangul = false
        var hangul = count > 0 && tokens[0].hasHangul
        for index in 0..<count {
            let token = tokens[index]
            let nextHangul = index &+ 1 < count && tokens[index &+ 1].hasHangul
            if hangul || (token.visible <= 2 && (previousHangul || nextHangul)) {
                tokens[index].hangulContext = true
                let single = token.visible == 1
                if single && previousSingle { tokens[index &- 1].jamoJoin = true }
                previousSingle = single
            } else {
                previousSingle = false
            }
            previousHangul = hangul
            hangul = nextHangul
            if !token.hasLatin || token.visible != 1 {
                markLatinRun(&tokens, runStart..<index)
                runStart = index &+ 1
            }
        }
        markLatinRun(&tokens, runStart..<count)
    }

    /// Joins a run of one-letter Latin words, if it has three or more, each to the next.
    @inline(__always)
    private static func markLatinRun(_ tokens: inout MutableSpan<Token>, _ run: Range<Int>) {
        guard run.count >= 3 else { return }
        for position in run.lowerBound..<(run.upperBound &- 1) { tokens[position].latinJoin = true }
    }
}
