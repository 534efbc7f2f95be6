import Foundation

/// Builds the views of a text. The same function normalizes comments and term lists, so a term matches every
/// spelling of itself that normalizes alike.
public enum TextNormalizer {
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
        tokens.markJoins()
        let words = tokens.words
        latinView(base, tokens: words, capacity: bounds.latin, into: &latin)
        jamoView(base, tokens: words, capacity: bounds.jamo, into: &jamo)
        return words.contains { token in
            // `at` and `dot` are ASCII letters, so only Latin words of two or three letters need hashing.
            guard token.hasLatin, token.visible == 2 || token.visible == 3 else { return false }
            let hash = token.hash(base)
            return hash == atHash || hash == dotHash
        }
    }

    /// The folded text that every view starts from, as a string: NFC, invisible characters and stray combining marks
    /// dropped, compatibility forms, case, diacritics and Latin look-alikes folded (`l` reads `i`), Hangul kept, other
    /// separators turned into `-` (spaces, if they are whitespace). Folding is idempotent: `fold(fold(x)) == fold(x)`.
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
                // Other symbols become `-`, whitespace a space: a symbol may glue syllables into a word, a space never.
                let scalar = base.scalars[index]
                out.append(scalar < 0x80 ? Unicode.Scalar(scalar)! : isWhitespace(scalar) ? " " : "-")
            case .newline: out.append("\n")
            case .control: out.append(" ")
            default: out.append(Unicode.Scalar(scalarClass.value)!)
            }
        }
        return String(out)
    }
}
