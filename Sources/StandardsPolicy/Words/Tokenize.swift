// Words: the text split at separators, with what each word's scalars told the tokenizer.

extension TextNormalizer {
    // MARK: Tokens

    static func isWordCharacter(_ kind: ScalarClass.Kind) -> Bool {
        switch kind {
        case .latin, .digit, .expansion, .jamo, .syllable, .ideograph, .otherLetter, .combining: true
        default: false
        }
    }

    /// Splits the text into words. Invisible characters never split a word (f\u{200B}uck is one word); leet symbols
    /// belong to a word when they sit inside it (sh!t, a$$hole), `$` also at its end (a$$), `^` before Hangul (^ㅂ).
    /// Returns the most units each view can have for these words: a Latin word gives at most one unit per scalar
    /// (an expansion one per letter) and a boundary; a Korean word at most five jamo per syllable (initial, two vowel
    /// keys, two final keys), two per compound jamo, one per other scalar, a boundary before a keyboard reading and
    /// one after.
    @discardableResult
    static func tokenize(_ base: BaseText, into tokens: inout TokenList) -> (latin: Int, jamo: Int) {
        var bounds = (latin: 0, jamo: 0)
        // Words are separated by at least one scalar, so there are at most this many.
        let capacity = base.count / 2 + 1
        tokens.write(capacity: capacity) { out, lengths in
            // The arrays keep room beyond the text for the next one.
            let found = scanWords(
                scalars: base.scalars.span.extracting(0..<base.count),
                classes: base.classes.span.extracting(0..<base.count),
                into: &out,
                lengths: &lengths
            )
            bounds = (found.latin, found.jamo)
        }
        return bounds
    }

    /// The loop of ``tokenize(_:into:)``, over buffers and with all its state in locals: one inner loop steps over
    /// separators, the other over the characters of a word.
    private static func scanWords(
        scalars: Span<UInt32>,
        classes: Span<ScalarClass>,
        into out: inout CheckedWriter<Token>,
        lengths: inout [UInt16]
    ) -> (written: Int, latin: Int, jamo: Int) {
        let count = classes.count
        var written = 0
        var latinBound = 0
        var jamoBound = 0
        var index = 0
        while true {
            // Step over separators to the first character of a word. Invisible characters and stray combining marks
            // neither start nor split a word. No scalar before one of these separators belongs to a word.
            var scalarClass: ScalarClass
            var word: UInt8
            while true {
                guard index < count else { return (written, latinBound, jamoBound) }
                scalarClass = classes[index]
                word = scalarClass.word
                if word & WordTraits.word != 0 { break }
                if word & WordTraits.joins != 0,
                    separatorJoins(scalars[index], at: index, previousIncluded: false, classes: classes, count: count)
                {
                    break
                }
                index &+= 1
            }
            // The word: its first scalar is at `index`; `last` is its last scalar so far. Its visible scalars are
            // counted off its length: `adjust` takes the invisible ones inside away and adds the letters of expansions.
            let start = index
            var last = index
            var traits: UInt8 = 0
            var adjust = 0
            var extraJamo = 0
            while true {
                if word & WordTraits.expansion != 0 {
                    let expansion = expansionTraits(scalarClass)
                    traits |= expansion.traits | WordTraits.expansion
                    adjust &+= expansion.letters &- 1
                    extraJamo &+= 4 &* expansion.letters
                } else {
                    traits |= word
                    extraJamo &+= Int(scalarClass.extraJamo)
                }
                last = index
                index &+= 1
                guard index < count else { break }
                scalarClass = classes[index]
                word = scalarClass.word
                if word & WordTraits.skip != 0 {
                    // The next scalar that is not skipped decides whether the word goes on; if it does, the skipped
                    // ones are inside it.
                    let skipped = index
                    repeat {
                        index &+= 1
                        guard index < count else { break }
                        scalarClass = classes[index]
                        word = scalarClass.word
                    } while word & WordTraits.skip != 0
                    guard index < count else { break }
                    if continuesWord(word, at: index, scalars: scalars, classes: classes) {
                        adjust &-= index &- skipped
                        continue
                    }
                } else if continuesWord(word, at: index, scalars: scalars, classes: classes) {
                    continue
                }
                // A separator ends the word.
                index &+= 1
                break
            }
            let visible = last &+ 1 &- start &+ adjust
            out.append(Token(start: start, end: last + 1, traits: traits & WordTraits.kept, visible: visible, extraJamo: extraJamo))
            written &+= 1
            latinBound &+= 1 &+ visible
            jamoBound &+= 2 &+ visible &+ extraJamo
            lengths[min(visible, TokenList.longWord)] &+= 1
        }
    }

    /// Whether the scalar at `index` (not a skipped one) continues the word before it.
    @inline(__always)
    private static func continuesWord(
        _ word: UInt8,
        at index: Int,
        scalars: Span<UInt32>,
        classes: Span<ScalarClass>
    ) -> Bool {
        if word & WordTraits.word != 0 { return true }
        return word & WordTraits.joins != 0
            && separatorJoins(scalars[index], at: index, previousIncluded: true, classes: classes, count: classes.count)
    }

    /// What an expansion (``ScalarClass/Kind/expansion``) adds to its word: Hangul, Latin or digits, and its letters.
    @inline(never)
    private static func expansionTraits(_ scalarClass: ScalarClass) -> (traits: UInt8, letters: Int) {
        let expansion = ScalarClass.expansions[Int(scalarClass.value)].unicodeScalars
        let traits =
            expansion.contains(where: { $0.value >= 0x3131 })
            ? WordTraits.hangul : expansion.contains(where: { $0.value >= 0x61 }) ? WordTraits.latin : WordTraits.digit
        return (traits | WordTraits.notASCIILetter, expansion.count)
    }

    @inline(__always)
    static func isASCIILetter(_ scalar: UInt32) -> Bool { (scalar | 0x20) &- 0x61 < 26 }

    /// What a scalar tells the tokenizer, precomputed in its class (``ScalarClass/word``).
    enum WordTraits {
        static let latin: UInt8 = 1
        static let hangul: UInt8 = 2
        static let digit: UInt8 = 4
        /// Something other than an ASCII letter of the original text (no keyboard reading).
        static let notASCIILetter: UInt8 = 8
        /// A word character.
        static let word: UInt8 = 16
        /// Neither starts nor splits a word (invisible characters, stray combining marks).
        static let skip: UInt8 = 32
        /// A separator that may belong to the word around it (leet letters, `$`, `^`).
        static let joins: UInt8 = 64
        /// An expansion: what it adds depends on its letters (see ``expansionTraits(_:)``).
        static let expansion: UInt8 = 128
        /// The traits a token keeps.
        static let kept: UInt8 = latin | hangul | digit | notASCIILetter | expansion
    }

    /// Whether the separator `scalar` at `index` belongs to the word around it: a leet letter between word
    /// characters, `$` after one, `^` before Hangul.
    private static func separatorJoins(
        _ scalar: UInt32,
        at index: Int,
        previousIncluded: Bool,
        classes: Span<ScalarClass>,
        count: Int
    ) -> Bool {
        var next: ScalarClass?
        for position in (index + 1)..<max(count, index + 1) {
            let nextKind = classes[position].kind
            if nextKind != .invisible && nextKind != .combining {
                next = classes[position]
                break
            }
        }
        let nextIsWord = next.map { isWordCharacter($0.kind) } ?? false
        if leetLetter(scalar) != nil || scalar == Obfuscations.maskScalar, previousIncluded && nextIsWord { return true }
        if scalar == 0x24, previousIncluded { return true }
        if scalar == 0x5E, let next, next.kind == .jamo || next.kind == .syllable { return true }
        return previousIncluded && gluesSyllables(at: index, classes: classes, count: count)
    }

    /// How many symbols in a row may glue two syllables into one word (개.새끼, 개**새끼, 지-랄): more is punctuation.
    static let glueRun = 3

    /// Whether the scalar at `index` sits in a run of at most ``glueRun`` symbols (separators other than whitespace;
    /// invisible characters and marks aside) between two precomposed syllables: the word goes on through them, and the
    /// jamo view skips them (``isGlue(at:in:token:)``).
    static func gluesSyllables(at index: Int, classes: Span<ScalarClass>, count: Int) -> Bool {
        func syllable(from start: Int, step: Int) -> Bool {
            var position = start
            var symbols = 0
            while position >= 0, position < count {
                let scalarClass = classes[position]
                switch scalarClass.kind {
                case .syllable: return true
                case .invisible, .combining: break
                case .separator:
                    symbols += 1
                    if symbols > glueRun || scalarClass.word & WordTraits.joins == 0 { return false }
                default: return false
                }
                position += step
            }
            return false
        }
        return syllable(from: index - 1, step: -1) && syllable(from: index + 1, step: 1)
    }
}
