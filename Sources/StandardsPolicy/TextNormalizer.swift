import Foundation

/// Builds the views of a text. The same function normalizes comments and term lists, so a term matches every
/// spelling of itself that normalizes alike.
public enum TextNormalizer {
    /// A word of the text: a maximal run of word characters between separators.
    struct Token {
        // Packed into sixteen bytes, so writing a word and reading it back in each pass is cheap.
        private let bounds: (start: Int32, end: Int32)
        private let visibleCount: Int32
        private var bits: UInt16 = 0

        var start: Int { Int(bounds.start) }
        var end: Int { Int(bounds.end) }
        /// Scalars in the token that are neither invisible nor combining.
        var visible: Int { Int(visibleCount) }

        private static let latinBit = UInt16(WordTraits.latin)
        private static let hangulBit = UInt16(WordTraits.hangul)
        private static let digitBit = UInt16(WordTraits.digit)
        private static let notASCIILetterBit = UInt16(WordTraits.notASCIILetter)
        private static let onlySyllablesBit: UInt16 = 16
        private static let onlyASCIILettersBit: UInt16 = 32
        private static let latinJoinBit: UInt16 = 64
        private static let hangulContextBit: UInt16 = 128
        private static let jamoJoinBit: UInt16 = 256

        var hasLatin: Bool { bits & Self.latinBit != 0 }
        var hasHangul: Bool { bits & Self.hangulBit != 0 }
        var hasDigit: Bool { bits & Self.digitBit != 0 }
        /// Whether every visible scalar is an ASCII letter in the original text (for the keyboard reading).
        var asciiLettersOnly: Bool { bits & Self.notASCIILetterBit == 0 }
        /// Every scalar of the word is a precomposed syllable, or every one an ASCII letter: the views write such
        /// words in a tight loop.
        var onlySyllables: Bool { bits & Self.onlySyllablesBit != 0 }
        var onlyASCIILetters: Bool { bits & Self.onlyASCIILettersBit != 0 }
        /// The Latin view joins this word to the next (spaced-out letters, see ``markJoins(_:)``).
        var latinJoin: Bool {
            get { bits & Self.latinJoinBit != 0 }
            set { set(Self.latinJoinBit, newValue) }
        }
        /// The jamo view reads this word as Korean (a Hangul word, or a short word between Hangul words).
        var hangulContext: Bool {
            get { bits & Self.hangulContextBit != 0 }
            set { set(Self.hangulContextBit, newValue) }
        }
        /// The jamo view joins this word to the next (spaced-out syllables).
        var jamoJoin: Bool {
            get { bits & Self.jamoJoinBit != 0 }
            set { set(Self.jamoJoinBit, newValue) }
        }

        private mutating func set(_ bit: UInt16, _ on: Bool) { bits = on ? bits | bit : bits & ~bit }

        init(start: Int, end: Int) {
            bounds = (Int32(start), Int32(end))
            visibleCount = 0
        }

        /// A word with what its scalars told the tokenizer (``WordTraits``), and the jamo units beyond one per visible
        /// scalar they may give.
        init(start: Int, end: Int, traits: UInt8, visible: Int, extraJamo: Int) {
            bounds = (Int32(truncatingIfNeeded: start), Int32(truncatingIfNeeded: end))
            visibleCount = Int32(truncatingIfNeeded: visible)
            // The first four bits are the word traits themselves.
            bits = UInt16(traits & (WordTraits.latin | WordTraits.hangul | WordTraits.digit | WordTraits.notASCIILetter))
            // Nothing skipped inside and no expansion: one visible scalar per scalar, each giving what a syllable gives.
            let whole = end - start == visible && traits & WordTraits.expansion == 0
            if whole && extraJamo == 4 * visible { bits |= Self.onlySyllablesBit }
            if whole && traits == WordTraits.latin { bits |= Self.onlyASCIILettersBit }
        }

        /// FNV-1a over the word's scalars with ASCII case folded (invisible and combining ones skipped), for
        /// spotting one word repeated over and over; computed when asked, since few texts need it.
        func hash(_ base: BaseText) -> UInt64 {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for index in start..<end {
                let kind = base.classes[index].kind
                if kind == .invisible || kind == .combining { continue }
                let scalar = base.scalars[index]
                hash = (hash ^ UInt64((0x41...0x5A).contains(scalar) ? scalar + 0x20 : scalar)) &* 0x100_0000_01b3
            }
            return hash
        }
    }

    /// Leet symbols that stand for letters inside a Latin word.
    static func leetLetter(_ scalar: UInt32) -> UInt32? {
        switch scalar {
        case 0x40: return 0x61  // @ → a
        case 0x24: return 0x73  // $ → s
        case 0x21, 0x7C: return 0x69  // ! | → i
        case 0x2B: return 0x74  // + → t
        default: return nil
        }
    }

    /// Digits that stand for letters inside a Latin word (sh1t, n00b, 4ss).
    static func leetDigit(_ digit: UInt32) -> UInt32 {
        switch digit {
        case 0x30: return 0x6F  // 0 → o
        case 0x31: return 0x69  // 1 → i
        case 0x33: return 0x65  // 3 → e
        case 0x34: return 0x61  // 4 → a
        case 0x35: return 0x73  // 5 → s
        case 0x37: return 0x74  // 7 → t
        case 0x38: return 0x62  // 8 → b
        case 0x39: return 0x67  // 9 → g
        default: return digit
        }
    }

    /// `l` reads as `i` in the Latin view (l, 1, |, ! and I look alike), in comments and terms alike.
    @inline(__always)
    static func foldLatin(_ letter: UInt32) -> UInt32 { letter == 0x6C ? 0x69 : letter }

    public static func normalize(_ text: String) -> NormalizedText {
        var normalized = NormalizedText()
        normalize(text, into: &normalized)
        return normalized
    }

    /// Normalizes `text` into `normalized`, replacing what it held and reusing its storage: an evaluator that keeps
    /// one ``NormalizedText`` allocates nothing per comment once its buffers have grown to the comments it sees.
    static func normalize(_ text: String, into normalized: inout NormalizedText) {
        // The buffers are moved out of `normalized` while they are filled and read, and moved back at the end: a stored
        // property of an inout value passed to a function is copied (every array in it retained and released).
        var base = BaseText()
        var tokens = TokenList()
        var latin = TextView()
        var jamo = TextView()
        var digitRuns: [DigitRun] = []
        swap(&base, &normalized.base)
        swap(&tokens, &normalized.tokens)
        swap(&latin, &normalized.latin)
        swap(&jamo, &normalized.jamo)
        swap(&digitRuns, &normalized.digitRuns)
        defer {
            swap(&tokens, &normalized.tokens)
            swap(&latin, &normalized.latin)
            swap(&jamo, &normalized.jamo)
            swap(&digitRuns, &normalized.digitRuns)
        }
        normalized.original = text
        var signals = SignalsCounter()
        let flags = ingest(text, into: &base, signals: &signals)
        if flags == nil {
            // Something to compose: compose, then count the signals on the composed text (below).
            signals = SignalsCounter()
            compose(text, into: &base)
        }
        // Written: from here on the text is only read, as a constant moved out of the variable (a variable passed
        // to a function would be copied, its arrays retained and released).
        let read = consume base
        let limits: Measures
        if let flags {
            // The text is read as is: its limits come off its ends, unless a scalar needs counting.
            if flags & ScalarClass.limitsFlag == 0 {
                limits = MeasuresCounter.plain(read)
            } else {
                var counter = MeasuresCounter()
                for index in 0..<read.count { counter.add(read.scalars[index], read.classes[index]) }
                limits = counter.result(text)
            }
        } else {
            // Composed: the limits are counted on the text as given.
            var counter = MeasuresCounter()
            for scalar in text.unicodeScalars { counter.add(scalar.value, ScalarClass.of(scalar.value)) }
            limits = counter.result(text)
            for index in 0..<read.count { signals.add(read.scalars[index], read.classes[index]) }
        }
        let spokenLinkWord = words(read, tokens: &tokens, latin: &latin, jamo: &jamo)
        normalized.mightContainLinks = signals.trigger || spokenLinkWord
        normalized.repeats = signals.repeats
        if !digitRuns.isEmpty { digitRuns.removeAll(keepingCapacity: true) }
        if signals.digitLike >= 5 { Self.digitRuns(read, into: &digitRuns) }
        normalized.base = read
        normalized.characterCount = limits.characters
        normalized.byteCount = text.utf8.count
        normalized.maxScalarsPerCharacter = limits.maxScalars
        normalized.hasControlCharacters = limits.control
        normalized.hasBidiControls = limits.bidi
        normalized.isBlank = limits.blank
        normalized.lineCount = limits.lines
    }

    /// Splits `base` into words and writes both views; returns whether a word is `at` or `dot` (an address spelled
    /// out). A function of its own so that `base` is a parameter: the closures below then read it without copying it.
    private static func words(_ base: BaseText, tokens: inout TokenList, latin: inout TextView, jamo: inout TextView) -> Bool {
        let bounds = tokenize(base, into: &tokens)
        tokens.withUnsafeMutableBufferPointer { markJoins($0) }
        return tokens.withUnsafeBufferPointer { tokens in
            latinView(base, tokens: tokens, capacity: bounds.latin, into: &latin)
            jamoView(base, tokens: tokens, capacity: bounds.jamo, into: &jamo)
            return tokens.contains { token in
                // `at` and `dot` are ASCII letters, so only Latin words of two or three letters need hashing.
                guard token.hasLatin, token.visible == 2 || token.visible == 3 else { return false }
                let hash = token.hash(base)
                return hash == atHash || hash == dotHash
            }
        }
    }

    /// One pass over the UTF-8 of `text` that decodes it into `base` (with classes) and counts the signals; returns
    /// the flags of all its scalars together (see ``ScalarClass/limitsFlag``). Stored comments are NFC already (the
    /// database normalizes them), so this is the usual path; it returns nil when a scalar that NFC could change was
    /// read (the text must then be composed, and `base` and `signals` are to be written afresh).
    static func ingest(_ text: String, into base: inout BaseText, signals: inout SignalsCounter) -> UInt8? {
        // A native string keeps its UTF-8 contiguous and is read in place; another is copied once.
        if let flags = text.utf8.withContiguousStorageIfAvailable({ ingest(utf8: $0, into: &base, signals: &signals) }) { return flags }
        var copy = text
        return copy.withUTF8 { ingest(utf8: $0, into: &base, signals: &signals) }
    }

    private static func ingest(utf8 bytes: UnsafeBufferPointer<UInt8>, into base: inout BaseText, signals: inout SignalsCounter) -> UInt8? {
        var seen: UInt8 = 0
        let read = base.write(capacity: bytes.count) { scalars, classes in
            ScalarClass.withTable { table -> Int? in
                var index = 0
                var count = 0
                let end = bytes.count
                while index < end {
                    let lead = UInt32(bytes[index])
                    let v: UInt32
                    if lead < 0x80 {
                        v = lead
                        index &+= 1
                    } else if lead < 0xE0 {
                        v = (lead & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F)
                        index &+= 2
                    } else if lead < 0xF0 {
                        v = (lead & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F)
                        index &+= 3
                    } else {
                        v =
                            (lead & 0x07) << 18 | UInt32(bytes[index + 1] & 0x3F) << 12 | UInt32(bytes[index + 2] & 0x3F) << 6
                            | UInt32(bytes[index + 3] & 0x3F)
                        index &+= 4
                    }
                    let scalarClass = v < 0x10000 ? table[Int(v)] : ScalarClass.classifySupplementary(v)
                    scalars[count] = v
                    classes[count] = scalarClass
                    seen |= scalarClass.flags
                    if !scalarClass.isSignal && signals.takesPlain {
                        signals.addPlain(v, scalarClass.kind)
                    } else {
                        signals.add(v, scalarClass)
                    }
                    count &+= 1
                }
                // A scalar that composes sends the text down the composing path (rare, so looked for once here).
                return seen & ScalarClass.composesFlag == 0 ? count : nil
            }
        }
        return read ? seen : nil
    }

    /// The folded text that every view starts from, as a string: NFC, invisible characters and stray combining marks
    /// dropped, compatibility forms, case, diacritics and Latin look-alikes folded (`l` reads `i`), Hangul kept, other
    /// separators turned into spaces. Folding is idempotent: `fold(fold(x)) == fold(x)`.
    public static func fold(_ text: String) -> String {
        let base = normalize(text).base
        var out = String.UnicodeScalarView()
        for index in 0..<base.count {
            let scalarClass = base.classes[index]
            switch scalarClass.kind {
            case .invisible, .combining: continue
            case .latin: out.append(Unicode.Scalar(foldLatin(scalarClass.value))!)
            case .expansion:
                for scalar in ScalarClass.expansions[Int(scalarClass.value)].unicodeScalars {
                    out.append(Unicode.Scalar(foldLatin(scalar.value))!)
                }
            case .separator:
                let scalar = base.scalars[index]
                out.append(scalar < 0x80 ? Unicode.Scalar(scalar)! : " ")
            case .newline: out.append("\n")
            case .control: out.append(" ")
            default: out.append(Unicode.Scalar(scalarClass.value)!)
            }
        }
        return String(out)
    }

    // MARK: NFC

    /// The NFC text with offsets, for text with combining marks or conjoining jamo: composed one user-perceived
    /// character at a time, which keeps every composed scalar mapped to the character it came from.
    static func compose(_ text: String, into base: inout BaseText) {
        base.removeAll()
        var offset = 0
        for character in text {
            let count = character.unicodeScalars.count
            let composed = String(character).precomposedStringWithCanonicalMapping.unicodeScalars
            for scalar in composed {
                base.append(scalar.value, ScalarClass.of(scalar.value), start: Int32(offset), end: Int32(offset + count))
            }
            offset += count
        }
    }

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
            base.scalars.withUnsafeBufferPointer { scalars in
                base.classes.withUnsafeBufferPointer { classes in
                    // The buffers keep room beyond the text for the next one.
                    let found = scanWords(
                        scalars: scalars, classes: UnsafeBufferPointer(rebasing: classes[0..<base.count]), into: out, lengths: lengths,
                        capacity: capacity)
                    bounds = (found.latin, found.jamo)
                    return found.written
                }
            }
        }
        return bounds
    }

    /// The loop of ``tokenize(_:into:)``, over buffers and with all its state in locals: one inner loop steps over
    /// separators, the other over the characters of a word.
    private static func scanWords(
        scalars: UnsafeBufferPointer<UInt32>, classes: UnsafeBufferPointer<ScalarClass>, into out: UnsafeMutablePointer<Token>,
        lengths: UnsafeMutablePointer<UInt16>, capacity: Int
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
            precondition(written < capacity, "token capacity")
            out[written] = Token(start: start, end: last + 1, traits: traits & WordTraits.kept, visible: visible, extraJamo: extraJamo)
            written &+= 1
            latinBound &+= 1 &+ visible
            jamoBound &+= 2 &+ visible &+ extraJamo
            lengths[min(visible, TokenList.longWord)] &+= 1
        }
    }

    /// Whether the scalar at `index` (not a skipped one) continues the word before it.
    @inline(__always)
    private static func continuesWord(
        _ word: UInt8, at index: Int, scalars: UnsafeBufferPointer<UInt32>, classes: UnsafeBufferPointer<ScalarClass>
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
        _ scalar: UInt32, at index: Int, previousIncluded: Bool, classes: UnsafeBufferPointer<ScalarClass>, count: Int
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
        if leetLetter(scalar) != nil, previousIncluded && nextIsWord { return true }
        if scalar == 0x24, previousIncluded { return true }
        if scalar == 0x5E, let next, next.kind == .jamo || next.kind == .syllable { return true }
        return false
    }

    /// Marks how the views join words: three or more one-letter Latin words in a row read as one word (f u c k,
    /// f.u.c.k); short non-Hangul words between Hangul words are read in Hangul context (ㅅ 1 ㅂ); two or more
    /// one-character Hangul-context words in a row join up (시 발, ㅅ.ㅂ).
    /// The words come fresh from the tokenizer, with no marks set, so only the marks that hold are written.
    ///
    /// A text of up to 64 words (nearly every comment) is marked with one bit per word: each rule looks at a word's
    /// neighbours, which shifting a mask by one brings beside it. Longer texts go word by word
    /// (``markJoinsWordByWord(_:)``, the same rules, which a test holds the masks to).
    static func markJoins(_ tokens: UnsafeMutableBufferPointer<Token>) {
        let count = tokens.count
        guard count <= 64 else { return markJoinsWordByWord(tokens) }
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
    static func markJoinsWordByWord(_ tokens: UnsafeMutableBufferPointer<Token>) {
        let count = tokens.count
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
                markLatinRun(tokens, runStart..<index)
                runStart = index &+ 1
            }
        }
        markLatinRun(tokens, runStart..<count)
    }

    /// Joins a run of one-letter Latin words, if it has three or more, each to the next.
    @inline(__always)
    private static func markLatinRun(_ tokens: UnsafeMutableBufferPointer<Token>, _ run: Range<Int>) {
        guard run.count >= 3 else { return }
        for position in run.lowerBound..<(run.upperBound &- 1) { tokens[position].latinJoin = true }
    }

    // MARK: The Latin view

    static func latinView(_ base: BaseText, tokens: UnsafeBufferPointer<Token>, capacity: Int, into view: inout TextView) {
        view.write(capacity: capacity) { view in
            base.scalars.withUnsafeBufferPointer { scalars in
                if base.identity {
                    latinUnits(base, scalars: scalars, tokens: tokens, offsets: SameOffsets(), into: &view)
                } else {
                    base.withStoredOffsets { latinUnits(base, scalars: scalars, tokens: tokens, offsets: $0, into: &view) }
                }
            }
        }
    }

    private static func latinUnits<Offsets: OriginalOffsets>(
        _ base: BaseText, scalars: UnsafeBufferPointer<UInt32>, tokens: UnsafeBufferPointer<Token>, offsets: Offsets,
        into view: inout TextView.Writer
    ) {
        for token in tokens {
            if token.onlyASCIILetters {
                for index in token.start..<token.end {
                    view.appendLatinLetter(foldLatin(scalars[index] | 0x20), start: offsets.start(index), end: offsets.end(index))
                }
            } else if token.hasLatin || token.hasDigit {
                latinUnits(base, token: token, into: &view)
            }
            if !token.latinJoin { view.appendBoundary(start: offsets.start(token.end &- 1), end: offsets.end(token.end &- 1)) }
        }
    }

    /// The Latin units of a word that is not all ASCII letters. Out of line, so the loop over the words stays small.
    @inline(never)
    private static func latinUnits(_ base: BaseText, token: Token, into view: inout TextView.Writer) {
        for index in token.start..<token.end {
            let scalarClass = base.classes[index]
            let start = base.start(index)
            let end = base.end(index)
            switch scalarClass.kind {
            case .latin:
                view.append(foldLatin(scalarClass.value), start: start, end: end)
            case .digit:
                view.append(token.hasLatin ? foldLatin(leetDigit(scalarClass.value)) : scalarClass.value, start: start, end: end)
            case .expansion:
                for scalar in ScalarClass.expansions[Int(scalarClass.value)].unicodeScalars {
                    let value = scalar.value
                    if value >= 0x80 {
                        view.append(TextView.boundary, start: start, end: end)  // Hangul (㈘ reads ㅋㅏ) separates like a syllable
                    } else {
                        view.append(
                            (0x30...0x39).contains(value) && token.hasLatin ? foldLatin(leetDigit(value)) : foldLatin(value), start: start,
                            end: end)
                    }
                }
            case .separator:
                if let letter = leetLetter(base.scalars[index]) { view.append(foldLatin(letter), start: start, end: end) }
            case .invisible, .combining:
                continue
            default:
                view.append(TextView.boundary, start: start, end: end)
            }
        }
    }

    // MARK: The jamo view

    static func jamoView(_ base: BaseText, tokens: UnsafeBufferPointer<Token>, capacity: Int, into view: inout TextView) {
        view.write(capacity: capacity) { view in
            Hangul.syllableKeys.withUnsafeBufferPointer { syllableKeys in
                base.scalars.withUnsafeBufferPointer { scalars in
                    if base.identity {
                        jamoUnits(base, scalars: scalars, tokens: tokens, syllableKeys: syllableKeys, offsets: SameOffsets(), into: &view)
                    } else {
                        base.withStoredOffsets {
                            jamoUnits(base, scalars: scalars, tokens: tokens, syllableKeys: syllableKeys, offsets: $0, into: &view)
                        }
                    }
                }
            }
        }
    }

    private static func jamoUnits<Offsets: OriginalOffsets>(
        _ base: BaseText, scalars: UnsafeBufferPointer<UInt32>, tokens: UnsafeBufferPointer<Token>, syllableKeys: UnsafeBufferPointer<UInt64>,
        offsets: Offsets, into view: inout TextView.Writer
    ) {
        for token in tokens {
            if token.onlySyllables {
                // Only the first syllable's first key can repeat the unit before it.
                view.appendSyllable(
                    syllableKeys[Int(scalars[token.start] &- Hangul.syllableBase)], start: offsets.start(token.start), end: offsets.end(token.start))
                for index in (token.start &+ 1)..<token.end {
                    view.appendSyllableAfterSyllable(
                        syllableKeys[Int(scalars[index] &- Hangul.syllableBase)], start: offsets.start(index), end: offsets.end(index))
                }
            } else if token.hangulContext {
                jamoUnits(base, token: token, syllableKeys: syllableKeys, into: &view)
            } else if token.asciiLettersOnly, token.visible >= 4, token.visible <= 32, mayReadOnKeyboard(base, token) {
                keyboardUnits(base, token: token, into: &view)
            }
            if !token.jamoJoin { view.appendBoundary(start: offsets.start(token.end &- 1), end: offsets.end(token.end &- 1)) }
        }
    }

    /// The jamo units of a word read in Hangul context that is not all syllables. Out of line, so the loop over the
    /// words stays small.
    @inline(never)
    private static func jamoUnits(
        _ base: BaseText, token: Token, syllableKeys: UnsafeBufferPointer<UInt64>, into view: inout TextView.Writer
    ) {
        for index in token.start..<token.end {
            let scalarClass = base.classes[index]
            let start = base.start(index)
            let end = base.end(index)
            switch scalarClass.kind {
            case .syllable: view.appendSyllable(syllableKeys[Int(scalarClass.value - Hangul.syllableBase)], start: start, end: end)
            case .jamo: Hangul.appendKeys(of: scalarClass.value, to: &view, start: start, end: end, role: .alone)
            case .ideograph: view.append(scalarClass.value, start: start, end: end)
            case .expansion:
                for scalar in ScalarClass.expansions[Int(scalarClass.value)].unicodeScalars {
                    if (0xAC00...0xD7A3).contains(scalar.value) {
                        Hangul.appendKeys(ofSyllable: scalar.value, to: &view, start: start, end: end)
                    } else if (0x3131...0x318E).contains(scalar.value) {
                        Hangul.appendKeys(of: scalar.value, to: &view, start: start, end: end, role: .alone)
                    } else {
                        view.append(scalar.value, start: start, end: end)
                    }
                }
            case .invisible, .combining: continue
            case .otherLetter: view.append(TextView.boundary, start: start, end: end)
            default:
                let scalar = base.scalars[index]
                // A digit inside a number stays a digit (2018년 is a year, not 18년).
                let inNumber =
                    scalarClass.kind == .digit
                    && ((index > token.start && base.classes[index - 1].kind == .digit)
                        || (index + 1 < token.end && base.classes[index + 1].kind == .digit))
                if !inNumber, let jamo = Hangul.lookalike(scalar) {
                    view.append(jamo, start: start, end: end)
                } else if scalarClass.kind == .latin || scalarClass.kind == .digit {
                    view.append(scalarClass.value, start: start, end: end)
                } else {
                    view.append(TextView.boundary, start: start, end: end)
                }
            }
        }
    }

    /// A word of ASCII letters as typed on a Korean keyboard, if it spells Korean syllables.
    @inline(never)
    private static func keyboardUnits(_ base: BaseText, token: Token, into view: inout TextView.Writer) {
        // Keyboard readings only count when they spell four jamo or more and parse as Korean syllables.
        let keys: Bool
        if token.end - token.start == token.visible {
            // Every scalar is an ASCII letter: the keys are read straight off them.
            keys = base.scalars.withUnsafeBufferPointer { scalars in
                Hangul.spellsSyllables(count: token.visible) { Hangul.dubeolsik(UInt8(truncatingIfNeeded: scalars[token.start + $0])) ?? 0 }
            }
        } else {
            keys = keyboardKeysSpellSyllables(base, token: token)
        }
        if keys {
            view.append(TextView.boundary, start: base.start(token.start), end: base.start(token.start))
            for index in token.start..<token.end where base.scalars[index] < 0x80 {
                if let jamo = Hangul.dubeolsik(UInt8(base.scalars[index])) {
                    view.append(jamo, start: base.start(index), end: base.end(index), qwerty: true)
                }
            }
        }
    }

    /// Whether the ASCII letters of a word with invisible characters inside spell Korean syllables on the keyboard.
    private static func keyboardKeysSpellSyllables(_ base: BaseText, token: Token) -> Bool {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: token.visible) { buffer -> Bool in
            var count = 0
            for index in token.start..<token.end where base.scalars[index] < 0x80 {
                if let jamo = Hangul.dubeolsik(UInt8(base.scalars[index])), count < buffer.count {
                    buffer[count] = jamo
                    count += 1
                }
            }
            return Hangul.spellsSyllables(UnsafeBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// Whether a word of ASCII letters may read as Korean typed on a Latin keyboard: false when its first two
    /// letters cannot begin a syllable (the full reading decides when an invisible character sits between them).
    @inline(__always)
    private static func mayReadOnKeyboard(_ base: BaseText, _ token: Token) -> Bool {
        let first = base.scalars[token.start]
        let second = base.scalars[token.start + 1]
        guard first < 0x80, second < 0x80 else { return true }
        return Hangul.opensSyllable(UInt8(first), UInt8(second))
    }

    // MARK: Digits

    /// Separators that may stand between the digit groups of one number.
    static func isNumberSeparator(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x20, 0x2D, 0x2E, 0x28, 0x29, 0x2F, 0x5F, 0x7E, 0xB7, 0x3A, 0x2010...0x2015, 0x2212, 0x3000, 0xFF0D, 0xFF0E: true
        default: false
        }
    }

    /// The cheap facts that let later stages skip work, counted scalar by scalar: how many scalars could be digits
    /// (a phone number needs seven), and whether anything could start a link or an address (`@`, a dot between
    /// letters or digits or after a bracket, `:/` as in a scheme, a spoken form of ``Links/spokenKorean``; the words `at`
    /// and `dot` are looked for among the tokens). `ShortcutAgreementTests` holds it to the scanner over generated texts.
    struct SignalsCounter: Equatable {
        var digitLike = 0
        var trigger = false
        /// Scalars that repeat the one before them: a run of `n` needs `n - 1`, so flooding looks for runs only in
        /// texts with enough of them.
        var repeats = 0
        /// Digit syllables in a row so far (공일공).
        private var spelledRun = 0
        /// No scalar is `UInt32.max`, so the first one never continues a run.
        private var previous = UInt32.max
        private var previousKind = ScalarClass.Kind.separator
        /// A dot was seen: 1 when a letter or digit stood before it (a letter or digit must follow), 2 when a bracket
        /// did (anything may follow).
        private var pendingDot: UInt8 = 0

        /// Whether ``add(_:_:)`` does more for this scalar than remember it, found by adding it after a letter (and
        /// after two digit syllables); the class table caches the answer, so the lists below are the only definition.
        static func matters(_ scalar: UInt32, _ scalarClass: ScalarClass) -> Bool {
            var probe = SignalsCounter()
            probe.previousKind = .latin
            probe.previous = 0xACF5  // 공, the third digit syllable in a row
            probe.spelledRun = 2
            probe.add(scalar, scalarClass, always: true)
            // And after a colon, where a slash starts a scheme's `//`.
            var afterColon = SignalsCounter()
            afterColon.previousKind = .separator
            afterColon.previous = 0x3A
            afterColon.add(scalar, scalarClass, always: true)
            return probe.digitLike > 0 || probe.trigger || probe.pendingDot != 0 || afterColon.trigger
        }

        @inline(__always)
        mutating func add(_ scalar: UInt32, _ scalarClass: ScalarClass, always: Bool = false) {
            let kind = scalarClass.kind
            if pendingDot != 0 {
                if pendingDot == 2 || kind == .latin || kind == .digit { trigger = true }
                pendingDot = 0
            }
            if always || scalarClass.isSignal { count(scalar, kind) }
            countRun(scalar)
            previous = scalar
            previousKind = kind
        }

        @inline(__always)
        private mutating func countRun(_ scalar: UInt32) {
            repeats &+= scalar == previous ? 1 : 0
        }

        /// Whether ``addPlain(_:_:)`` may stand for ``add(_:_:always:)`` now: no dot waits for what follows it.
        var takesPlain: Bool { pendingDot == 0 }

        /// ``add(_:_:always:)`` for a scalar that is no signal (``ScalarClass/isSignal``) when ``takesPlain``.
        @inline(__always)
        mutating func addPlain(_ scalar: UInt32, _ kind: ScalarClass.Kind) {
            countRun(scalar)
            previous = scalar
            previousKind = kind
        }

        private mutating func count(_ scalar: UInt32, _ kind: ScalarClass.Kind) {
            switch kind {
            case .digit, .expansion: digitLike += 1
            case .syllable:
                if Hangul.digitSyllable(scalar) != nil {
                    // Spelled digits count only in runs (공일공), as the digit reader takes them.
                    spelledRun = Hangul.digitSyllable(previous) != nil ? spelledRun &+ 1 : 1
                    if spelledRun == Hangul.spelledDigitRun {
                        digitLike += spelledRun
                    } else if spelledRun > Hangul.spelledDigitRun {
                        digitLike += 1
                    }
                }
                if Links.spokenStarts.contains(scalar) { trigger = true }  // 닷, 쩜, 점(컴), 골(뱅이): the scanner's own table
            case .separator:
                switch scalar {
                case 0x40, 0xFF20: trigger = true
                case 0x2F where previous == 0x3A: trigger = true  // `://`: an explicit scheme (http://host), which links scan for
                case 0x2E, 0x3002, 0xFF0E, 0xFF61, 0x2024, 0xB7:
                    guard previous != UInt32.max else { break }  // nothing before the dot
                    if previousKind == .latin || previousKind == .digit { pendingDot = 1 }
                    if previous == 0x5B || previous == 0x28 || previous == 0x7B { pendingDot = 2 }
                default: break
                }
            default: break
            }
        }
    }

    /// ``wordHash(_:)`` of `at` and `dot`, as constants (a test checks them): a computed global would be checked for
    /// its one-time initialization on every read.
    static let atHash: UInt64 = 0x089c_4e07_b545_a968
    static let dotHash: UInt64 = 0xcaaf_2818_f474_58a0

    /// The token hash of an ASCII word (the same FNV-1a the tokenizer computes).
    static func wordHash(_ word: String) -> UInt64 {
        word.unicodeScalars.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1.value)) &* 0x100_0000_01b3 }
    }

    static func digitRuns(_ base: BaseText, into runs: inout [DigitRun]) {
        let count = base.count
        // Spelled digits count only in runs (see Hangul.spelledDigitRun).
        var spelled: [UInt8?] = []
        var runStart = 0
        for index in 0...count {
            if index < count, Hangul.digitSyllable(base.scalars[index]) != nil { continue }
            if index - runStart >= Hangul.spelledDigitRun {
                if spelled.isEmpty { spelled = [UInt8?](repeating: nil, count: count) }
                for position in runStart..<index { spelled[position] = Hangul.digitSyllable(base.scalars[position]) }
            }
            runStart = index + 1
        }
        let hasSpelled = !spelled.isEmpty

        // The run being read, and the separators since its last digit. A run too short to keep is emptied and its
        // storage reused for the next.
        var run = DigitRun()
        var gap = 0
        func close() {
            guard !run.digits.isEmpty else { return }  // nothing to reset (the gap only grows after a digit)
            if run.digits.count >= 7 {
                runs.append(run)
                run = DigitRun()
            } else {
                run.removeAll()
            }
            gap = 0
        }
        func add(_ digit: UInt8, _ position: Int) {
            if run.digits.isEmpty {
                run.reserve(16)
                run.groupStarts.append(0)
            } else if gap > 0 {
                run.groupStarts.append(run.digits.count)
            }
            gap = 0
            run.digits.append(digit)
            run.starts.append(base.start(position))
            run.ends.append(base.end(position))
        }
        for position in 0..<count {
            let scalarClass = base.classes[position]
            let scalar = base.scalars[position]
            if scalarClass.kind == .digit {
                add(UInt8(scalarClass.value - 0x30), position)
            } else if hasSpelled, let digit = spelled[position] {
                add(digit, position)
            } else if scalarClass.kind == .expansion,
                case let text = ScalarClass.expansions[Int(scalarClass.value)], text.unicodeScalars.allSatisfy({ (0x30...0x39).contains($0.value) })
            {
                for scalar in text.unicodeScalars { add(UInt8(scalar.value - 0x30), position) }
            } else if scalar == 0x6F || scalar == 0x4F || scalar == 0x3147,
                (!run.digits.isEmpty && gap == 0) || (position + 1 < count && base.classes[position + 1].kind == .digit)
            {
                add(0, position)  // O1O-…: a letter O or ㅇ between digits is a zero
            } else if scalarClass.kind == .invisible {
                continue
            } else if !run.digits.isEmpty, isNumberSeparator(scalar), gap < 2 {
                gap += 1
            } else {
                close()
            }
        }
        close()
    }

    // MARK: Measures (checked against the policy's Limits)

    /// Unicode's White_Space characters.
    @inline(__always)
    static func isWhitespace(_ v: UInt32) -> Bool {
        switch v {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    /// The limits of a text: user-perceived characters and the most scalars in one (after CRLF→LF and trimming),
    /// control characters, blankness and line breaks.
    struct Measures: Equatable {
        var characters: Int
        var maxScalars: Int
        var control: Bool
        var blank: Bool
        var lines: Int
        /// A bidirectional embedding, override or isolate (``isBidiControl(_:)``).
        var bidi = false
    }

    /// U+202A–202E and U+2066–2069: embeddings, overrides and isolates. None stands alone (they are format
    /// characters), so a text holding one always takes the counting path of ``MeasuresCounter``, which notes it.
    @inline(__always)
    static func isBidiControl(_ v: UInt32) -> Bool {
        (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
    }

    /// Counts the ``Measures`` of a text (what the `Limits` of a policy are checked against) scalar by scalar over the text as given.
    struct MeasuresCounter: Equatable {
        var control = false
        var bidi = false
        var blank = true
        var lines = 0
        /// Whether every scalar is a character of its own (see ``ScalarClass/standsAlone``), CR aside.
        private var simple = true
        private var previousCR = false
        /// CR LF pairs, and how many of them lie before the first or after the last non-whitespace scalar.
        private var crlf = 0
        private var crlfOutside = 0
        private var crlfSinceLast = 0
        private var index = 0
        /// The first and last scalar that is not whitespace: trimming keeps what lies between them.
        private var first = -1
        private var last = -1

        @inline(__always)
        mutating func add(_ v: UInt32, _ scalarClass: ScalarClass) {
            if v < 0x20 || (0x7F..<0xA0).contains(v) {
                if v == 0x0A {
                    if previousCR {
                        crlf += 1
                        if first < 0 { crlfOutside += 1 } else { crlfSinceLast += 1 }
                    } else {
                        lines += 1
                    }
                } else if v == 0x0D {
                    lines += 1
                } else if v != 0x09 {
                    control = true
                }
            }
            previousCR = v == 0x0D
            if !scalarClass.isWhitespace {
                if scalarClass.kind != .invisible { blank = false }
                if first < 0 { first = index }
                last = index
                crlfSinceLast = 0
            }
            if !scalarClass.standsAlone, v != 0x0D {
                simple = false
                if TextNormalizer.isBidiControl(v) { bidi = true }
            }
            index += 1
        }

        /// The limits of a text read as is with no scalar that needs counting (``ScalarClass/needsLimitsCount``):
        /// every scalar is a character of its own, and there are no control characters or line breaks.
        static func plain(_ base: BaseText) -> Measures {
            var first = 0
            while first < base.count, base.classes[first].isWhitespace { first += 1 }
            guard first < base.count else { return Measures(characters: 0, maxScalars: 0, control: false, blank: true, lines: 0) }
            var last = base.count - 1
            while base.classes[last].isWhitespace { last -= 1 }
            var blank = true
            for index in first...last where !base.classes[index].isWhitespace && base.classes[index].kind != .invisible {
                blank = false
                break
            }
            return Measures(characters: last + 1 - first, maxScalars: 1, control: false, blank: blank, lines: 0)
        }

        /// The limits counted; `text` is what was counted.
        func result(_ text: String) -> Measures {
            let counted = characters(text)
            return Measures(
                characters: counted.characters, maxScalars: counted.maxScalars, control: control, blank: blank, lines: lines, bidi: bidi)
        }

        /// User-perceived characters of the trimmed text, and the most scalars in one; `text` is what was counted.
        private func characters(_ text: String) -> (characters: Int, maxScalars: Int) {
            guard first >= 0 else { return (0, 0) }
            if simple {
                // Every scalar is a character of its own but CR LF, which is one.
                let inside = crlf - crlfOutside - crlfSinceLast
                return (last + 1 - first - inside, inside > 0 ? 2 : 1)
            }
            // Between two scalars that each stand alone there is always a boundary, so only the stretches where
            // scalars join (and the scalar each one joins) need the standard library's grapheme breaking. A stretch is
            // a range of the text's scalars, read as a substring when it holds more than one.
            var characters = 0
            var maxScalars = 0
            let scalars = text.unicodeScalars
            var stretchStart = scalars.startIndex
            var length = 0
            func close(before end: String.Index) {
                if length == 1 {
                    characters += 1
                    maxScalars = max(maxScalars, 1)
                } else if length > 1 {
                    for character in Substring(scalars[stretchStart..<end]) {
                        characters += 1
                        maxScalars = max(maxScalars, character.unicodeScalars.count)
                    }
                }
                length = 0
            }
            var previousAlone = false
            var position = 0
            var index = scalars.startIndex
            while index < scalars.endIndex, position <= last {
                if position >= first {
                    let alone = ScalarClass.of(scalars[index].value).standsAlone
                    if alone && previousAlone { close(before: index) }
                    if length == 0 { stretchStart = index }
                    length += 1
                    previousAlone = alone
                }
                scalars.formIndex(after: &index)
                position += 1
            }
            close(before: index)
            return (characters, maxScalars)
        }
    }
}
