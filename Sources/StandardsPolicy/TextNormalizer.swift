import Foundation

/// Builds the views of a text. The same function normalizes comments and term lists, so a term matches every
/// spelling of itself that normalizes alike.
public enum TextNormalizer {
    /// A word of the text: a maximal run of word characters between separators.
    struct Token {
        var start: Int
        var end: Int
        var hasLatin = false
        var hasHangul = false
        var hasDigit = false
        /// Scalars in the token that are neither invisible nor combining.
        var visible = 0
        /// Whether every visible scalar is an ASCII letter in the original text (for the keyboard reading).
        var asciiLettersOnly = true
        /// FNV-1a over the word's case-folded scalars, for spotting one word repeated over and over.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        /// The Latin view joins this word to the next (spaced-out letters, see ``markJoins(_:)``).
        var latinJoin = false
        /// The jamo view reads this word as Korean (a Hangul word, or a short word between Hangul words).
        var hangulContext = false
        /// The jamo view joins this word to the next (spaced-out syllables).
        var jamoJoin = false
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

    /// The scalars of `text`, decoded from UTF-8 in one pass.
    static func scalars(of text: String) -> [UInt32] {
        var out: [UInt32] = []
        decode(text, into: &out)
        return out
    }

    /// Replaces the contents of `out` with the scalars of `text`.
    static func decode(_ text: String, into out: inout [UInt32]) {
        out.removeAll(keepingCapacity: true)
        var text = text
        text.withUTF8 { bytes in
            out.reserveCapacity(bytes.count)
            var index = 0
            let count = bytes.count
            while index < count {
                let lead = UInt32(bytes[index])
                if lead < 0x80 {
                    out.append(lead)
                    index += 1
                } else if lead < 0xE0 {
                    out.append((lead & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F))
                    index += 2
                } else if lead < 0xF0 {
                    out.append((lead & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F))
                    index += 3
                } else {
                    out.append(
                        (lead & 0x07) << 18 | UInt32(bytes[index + 1] & 0x3F) << 12 | UInt32(bytes[index + 2] & 0x3F) << 6
                            | UInt32(bytes[index + 3] & 0x3F))
                    index += 4
                }
            }
        }
    }

    public static func normalize(_ text: String) -> NormalizedText {
        var normalized = NormalizedText()
        normalize(text, into: &normalized)
        return normalized
    }

    /// Normalizes `text` into `normalized`, replacing what it held and reusing its storage: an evaluator that keeps
    /// one ``NormalizedText`` allocates nothing per comment once its buffers have grown to the comments it sees.
    static func normalize(_ text: String, into normalized: inout NormalizedText) {
        normalized.original = text
        decode(text, into: &normalized.originalScalars)
        makeBase(text, original: normalized.originalScalars, into: &normalized.base)
        tokenize(normalized.base, into: &normalized.tokens)
        markJoins(&normalized.tokens)
        latinView(normalized.base, tokens: normalized.tokens, into: &normalized.latin)
        jamoView(normalized.base, tokens: normalized.tokens, into: &normalized.jamo)
        let signals = scanSignals(normalized.base, tokens: normalized.tokens)
        normalized.mightContainLinks = signals.linkTrigger
        normalized.digitRuns.removeAll(keepingCapacity: true)
        if signals.digitLike >= 5 { digitRuns(normalized.base, into: &normalized.digitRuns) }
        let limits = measure(text, original: normalized.originalScalars)
        normalized.characterCount = limits.characters
        normalized.byteCount = text.utf8.count
        normalized.maxScalarsPerCharacter = limits.maxScalars
        normalized.hasControlCharacters = limits.control
        normalized.isBlank = limits.blank
        normalized.lineCount = limits.lines
    }

    /// The folded text that every view starts from, as a string: NFC, invisible characters and stray combining marks
    /// dropped, compatibility forms, case, diacritics and Latin look-alikes folded (`l` reads `i`), Hangul kept, other
    /// separators turned into spaces. Folding is idempotent: `fold(fold(x)) == fold(x)`.
    public static func fold(_ text: String) -> String {
        var base = BaseText()
        makeBase(text, original: scalars(of: text), into: &base)
        var out = String.UnicodeScalarView()
        for (index, scalarClass) in base.classes.enumerated() {
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

    /// The NFC text with offsets. Stored comments are NFC already (the database normalizes them), so the usual
    /// path copies; text with combining marks or conjoining jamo is composed one user-perceived character at a time,
    /// which keeps every composed scalar mapped to the character it came from.
    static func makeBase(_ text: String, original: [UInt32], into base: inout BaseText) {
        base.removeAll()
        base.scalars.reserveCapacity(original.count)
        base.classes.reserveCapacity(original.count)
        base.starts.reserveCapacity(original.count)
        base.ends.reserveCapacity(original.count)
        let needsComposition = original.contains { v in
            guard v >= 0x300, !(0xAC00...0xD7A3).contains(v), !(0x3131...0x318E).contains(v), !(0x4E00...0x9FFF).contains(v) else {
                return false
            }
            if (0x1100...0x11FF).contains(v) || (0xA960...0xA97F).contains(v) || (0xD7B0...0xD7FF).contains(v) { return true }
            return Unicode.Scalar(v).map { $0.properties.canonicalCombiningClass != .notReordered } ?? false
        }
        if !needsComposition {
            base.scalars.append(contentsOf: original)
            ScalarClass.withTable { table in
                for v in original {
                    base.classes.append(v < 0x10000 ? table[Int(v)] : ScalarClass.classifySupplementary(v))
                }
            }
            for index in 0..<Int32(original.count) {
                base.starts.append(index)
                base.ends.append(index + 1)
            }
            return
        }
        var offset = 0
        for character in text {
            let count = character.unicodeScalars.count
            let composed = String(character).precomposedStringWithCanonicalMapping.unicodeScalars
            for scalar in composed {
                base.scalars.append(scalar.value)
                base.classes.append(ScalarClass.of(scalar.value))
                base.starts.append(Int32(offset))
                base.ends.append(Int32(offset + count))
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
    static func tokenize(_ base: BaseText, into tokens: inout [Token]) {
        tokens.removeAll(keepingCapacity: true)
        var current: Token?
        let count = base.count

        func neighbor(_ index: Int, step: Int) -> ScalarClass? {
            var position = index + step
            while position >= 0, position < count {
                let kind = base.classes[position].kind
                if kind != .invisible && kind != .combining { return base.classes[position] }
                position += step
            }
            return nil
        }

        var previousIncluded = false
        for index in 0..<count {
            let scalarClass = base.classes[index]
            var isWord = isWordCharacter(scalarClass.kind)
            // Invisible characters and stray combining marks neither start nor split a word.
            if scalarClass.kind == .invisible || scalarClass.kind == .combining { continue }
            if !isWord, scalarClass.kind == .separator {
                let scalar = base.scalars[index]
                let previous = previousIncluded
                let next = neighbor(index, step: 1)
                let nextIsWord = next.map { isWordCharacter($0.kind) } ?? false
                if leetLetter(scalar) != nil, previous && nextIsWord {
                    isWord = true
                } else if scalar == 0x24, previous {
                    isWord = true
                } else if scalar == 0x5E, let next, next.kind == .jamo || next.kind == .syllable {
                    isWord = true
                }
            }
            previousIncluded = isWord
            guard isWord else {
                if let token = current { tokens.append(token) }
                current = nil
                continue
            }
            var token = current ?? Token(start: index, end: index)
            token.end = index + 1
            let folded = base.scalars[index]
            token.hash = (token.hash ^ UInt64((0x41...0x5A).contains(folded) ? folded + 0x20 : folded)) &* 0x100_0000_01b3
            switch scalarClass.kind {
            case .latin: token.hasLatin = true
            case .digit: token.hasDigit = true
            case .expansion:
                let expansion = ScalarClass.expansions[Int(scalarClass.value)]
                if expansion.unicodeScalars.contains(where: { $0.value >= 0x3131 }) {
                    token.hasHangul = true
                } else if expansion.unicodeScalars.contains(where: { $0.value >= 0x61 }) {
                    token.hasLatin = true
                } else {
                    token.hasDigit = true
                }
            case .jamo, .syllable, .ideograph: token.hasHangul = true  // Hanja belong to Korean words (丙申年)
            default: break
            }
            if scalarClass.kind == .expansion {
                token.visible += ScalarClass.expansions[Int(scalarClass.value)].unicodeScalars.count
                token.asciiLettersOnly = false
            } else if scalarClass.kind != .combining {
                token.visible += 1
                let scalar = base.scalars[index]
                if !((0x41...0x5A).contains(scalar) || (0x61...0x7A).contains(scalar)) { token.asciiLettersOnly = false }
            }
            current = token
        }
        if let token = current { tokens.append(token) }
    }

    /// Marks how the views join words: three or more one-letter Latin words in a row read as one word (f u c k,
    /// f.u.c.k); short non-Hangul words between Hangul words are read in Hangul context (ㅅ 1 ㅂ); two or more
    /// one-character Hangul-context words in a row join up (시 발, ㅅ.ㅂ).
    static func markJoins(_ tokens: inout [Token]) {
        let count = tokens.count
        var runStart = 0
        for index in 0...count {
            if index < count, tokens[index].hasLatin, tokens[index].visible == 1 { continue }
            if index - runStart >= 3 {
                for position in runStart..<(index - 1) { tokens[position].latinJoin = true }
            }
            runStart = index + 1
        }
        for index in 0..<count {
            let token = tokens[index]
            if token.hasHangul {
                tokens[index].hangulContext = true
            } else if token.visible <= 2 {
                tokens[index].hangulContext = (index > 0 && tokens[index - 1].hasHangul) || (index + 1 < count && tokens[index + 1].hasHangul)
            }
        }
        for index in 0..<max(count - 1, 0) {
            let single = tokens[index].hangulContext && tokens[index].visible == 1
            let nextSingle = tokens[index + 1].hangulContext && tokens[index + 1].visible == 1
            tokens[index].jamoJoin = single && nextSingle
        }
    }

    // MARK: The Latin view

    static func latinView(_ base: BaseText, tokens: [Token], into view: inout TextView) {
        view.reset(capacity: base.count + tokens.count)
        for token in tokens {
            if token.hasLatin || token.hasDigit {
                for index in token.start..<token.end {
                    let scalarClass = base.classes[index]
                    let start = base.starts[index]
                    let end = base.ends[index]
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
            if !token.latinJoin {
                view.append(TextView.boundary, start: Int32(base.starts[max(token.end - 1, 0)]), end: base.ends[max(token.end - 1, 0)])
            }
        }
        view.trimTrailingBoundary()
    }

    // MARK: The jamo view

    static func jamoView(_ base: BaseText, tokens: [Token], into view: inout TextView) {
        view.reset(capacity: base.count * 3)
        for token in tokens {
            if token.hangulContext {
                for index in token.start..<token.end {
                    let scalarClass = base.classes[index]
                    let start = base.starts[index]
                    let end = base.ends[index]
                    switch scalarClass.kind {
                    case .syllable: Hangul.appendKeys(ofSyllable: scalarClass.value, to: &view, start: start, end: end)
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
            } else if token.asciiLettersOnly, token.visible >= 4, token.visible <= 32 {
                // Keyboard readings only count when they spell four jamo or more and parse as Korean syllables.
                let keys = withUnsafeTemporaryAllocation(of: UInt32.self, capacity: token.visible) { buffer -> Bool in
                    var count = 0
                    for index in token.start..<token.end where base.scalars[index] < 0x80 {
                        if let jamo = Hangul.dubeolsik(UInt8(base.scalars[index])), count < buffer.count {
                            buffer[count] = jamo
                            count += 1
                        }
                    }
                    return Hangul.spellsSyllables(UnsafeBufferPointer(rebasing: buffer[0..<count]))
                }
                if keys {
                    view.append(TextView.boundary, start: base.starts[token.start], end: base.starts[token.start])
                    for index in token.start..<token.end where base.scalars[index] < 0x80 {
                        if let jamo = Hangul.dubeolsik(UInt8(base.scalars[index])) {
                            view.append(jamo, start: base.starts[index], end: base.ends[index], qwerty: true)
                        }
                    }
                }
            }
            if !token.jamoJoin {
                view.append(TextView.boundary, start: base.starts[max(token.end - 1, 0)], end: base.ends[max(token.end - 1, 0)])
            }
        }
        view.trimTrailingBoundary()
    }

    // MARK: Digits

    /// Separators that may stand between the digit groups of one number.
    static func isNumberSeparator(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x20, 0x2D, 0x2E, 0x28, 0x29, 0x2F, 0x5F, 0x7E, 0xB7, 0x3A, 0x2010...0x2015, 0x2212, 0x3000, 0xFF0D, 0xFF0E: true
        default: false
        }
    }

    /// One pass for the cheap facts that let later stages skip work: how many scalars could be digits (a phone
    /// number needs seven), and whether anything could start a link or an address (`@`, a dot between letters or
    /// digits or in brackets, 닷/쩜/골뱅이, the words `at` and `dot`).
    static func scanSignals(_ base: BaseText, tokens: [Token]) -> (digitLike: Int, linkTrigger: Bool) {
        var digitLike = 0
        var trigger = false
        let count = base.count
        base.classes.withUnsafeBufferPointer { classes in
            base.scalars.withUnsafeBufferPointer { scalars in
                for index in 0..<count {
                    let kind = classes[index].kind
                    switch kind {
                    case .digit, .expansion: digitLike += 1
                    case .syllable:
                        if Hangul.digitSyllable(scalars[index]) != nil { digitLike += 1 }
                        let scalar = scalars[index]
                        if scalar == 0xB2F7 || scalar == 0xCA5C || scalar == 0xACE8 { trigger = true }  // 닷 쩜 골(뱅이)
                    case .separator:
                        switch scalars[index] {
                        case 0x40, 0xFF20: trigger = true
                        case 0x2E, 0x3002, 0xFF0E, 0xFF61, 0x2024, 0xB7:
                            guard index > 0, index + 1 < count else { break }
                            let before = classes[index - 1].kind
                            let after = classes[index + 1].kind
                            if (before == .latin || before == .digit) && (after == .latin || after == .digit) { trigger = true }
                            let previous = scalars[index - 1]
                            if previous == 0x5B || previous == 0x28 || previous == 0x7B { trigger = true }
                        default: break
                        }
                    default: break
                    }
                }
            }
        }
        if !trigger {
            for token in tokens where token.hash == atHash || token.hash == dotHash {
                trigger = true
                break
            }
        }
        return (digitLike, trigger)
    }

    private static let atHash = wordHash("at")
    private static let dotHash = wordHash("dot")

    /// The token hash of an ASCII word (the same FNV-1a the tokenizer computes).
    static func wordHash(_ word: String) -> UInt64 {
        word.unicodeScalars.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1.value)) &* 0x100_0000_01b3 }
    }

    static func digitRuns(_ base: BaseText, into runs: inout [DigitRun]) {
        let count = base.count
        // Spelled digits count only in runs of three or more syllables (공일공), so 이 and 사 stay words.
        var spelled: [UInt8?] = []
        var runStart = 0
        for index in 0...count {
            if index < count, Hangul.digitSyllable(base.scalars[index]) != nil { continue }
            if index - runStart >= 3 {
                if spelled.isEmpty { spelled = [UInt8?](repeating: nil, count: count) }
                for position in runStart..<index { spelled[position] = Hangul.digitSyllable(base.scalars[position]) }
            }
            runStart = index + 1
        }
        let hasSpelled = !spelled.isEmpty

        var run = DigitRun()
        var gap: [UInt32] = []
        func close() {
            if run.digits.count >= 7 { runs.append(run) }
            run = DigitRun()
            gap.removeAll()
        }
        func add(_ digit: UInt8, _ position: Int) {
            if run.digits.isEmpty || !gap.isEmpty {
                run.groupStarts.append(run.digits.count)
            }
            gap.removeAll()
            run.digits.append(digit)
            run.starts.append(base.starts[position])
            run.ends.append(base.ends[position])
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
                (!run.digits.isEmpty && gap.isEmpty) || (position + 1 < count && base.classes[position + 1].kind == .digit)
            {
                add(0, position)  // O1O-…: a letter O or ㅇ between digits is a zero
            } else if scalarClass.kind == .invisible {
                continue
            } else if !run.digits.isEmpty, isNumberSeparator(scalar), gap.count < 2 {
                gap.append(scalar)
            } else {
                close()
            }
        }
        close()
    }

    // MARK: Limits

    /// Unicode's White_Space characters.
    @inline(__always)
    static func isWhitespace(_ v: UInt32) -> Bool {
        switch v {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    static func measure(
        _ text: String, original: [UInt32]
    ) -> (
        characters: Int, maxScalars: Int, control: Bool, blank: Bool, lines: Int
    ) {
        var control = false
        var blank = true
        var lines = 0
        var simple = true
        var previousCR = false
        for v in original {
            if v == 0x0A {
                if !previousCR { lines += 1 }
            } else if v == 0x0D {
                lines += 1
            } else if v < 0x20 && v != 0x09 || (0x7F..<0xA0).contains(v) {
                control = true
            }
            previousCR = v == 0x0D
            if blank, !isWhitespace(v), !ScalarClass.isInvisible(v) { blank = false }
            if simple,
                !(v < 0x300 && v != 0x0D) && !(0xAC00...0xD7A3).contains(v) && !(0x3131...0x318E).contains(v)
                    && !(0x4E00...0x9FFF).contains(v) && !(0x3000...0x3029).contains(v)
            {
                simple = false
            }
        }
        // Trimming counts only the text between the first and last non-whitespace scalar.
        var first = 0
        var last = original.count
        while first < last, isWhitespace(original[first]) { first += 1 }
        while last > first, isWhitespace(original[last - 1]) { last -= 1 }
        if simple { return (last - first, first < last ? 1 : 0, control, blank, lines) }
        var trimmed = String.UnicodeScalarView()
        trimmed.append(contentsOf: original[first..<last].compactMap(Unicode.Scalar.init))
        var characters = 0
        var maxScalars = 0
        for character in String(trimmed) {
            characters += 1
            maxScalars = max(maxScalars, character.unicodeScalars.count)
        }
        return (characters, maxScalars, control, blank, lines)
    }
}
