import Foundation

/// What one Unicode scalar is, for building the views of a comment.
///
/// Computed once per process for the Basic Multilingual Plane (a 64 Ki-entry table) and on the fly for the rest.
/// The table is policy-independent: comments and term lists go through the same folding.
struct ScalarClass: Sendable, Equatable {
    enum Kind: UInt8, Sendable {
        /// Letters of other scripts, emoji-free symbols we keep as word characters (not matched by term lists).
        case otherLetter
        /// Whitespace, punctuation and symbols: word boundaries.
        case separator
        /// Zero-width and bidi characters, soft hyphen, Hangul fillers, tags, variation selectors: dropped.
        case invisible
        /// Combining marks left after NFC (diacritic stacks): dropped from the views.
        case combining
        /// A Latin letter, folded: `value` is an ASCII lowercase letter.
        case latin
        /// A decimal digit from any script, full-width or circled: `value` is the ASCII digit.
        case digit
        /// Several ASCII letters or digits (ligatures ﬁ, circled ⑩, ㎏): `value` indexes ``ScalarClass/expansions``.
        case expansion
        /// A Hangul compatibility jamo (`value` is U+3131…U+318E).
        case jamo
        /// A precomposed Hangul syllable (`value` is the scalar).
        case syllable
        /// A CJK ideograph (Hanja), kept as itself.
        case ideograph
        /// Line feed or carriage return.
        case newline
        /// C0/C1 control characters other than tab and line breaks: malformed input.
        case control
    }

    /// The fields packed in one word, so that copying a class (the normalizer does it for every scalar) is one load
    /// and one store: kind, flags, word traits and extra jamo in the low bytes, the value in the high half.
    private var raw: UInt64

    init(kind: Kind, value: UInt32) {
        raw = UInt64(kind.rawValue) | UInt64(value) << 32
    }

    var kind: Kind {
        // Every raw kind byte was written from a `Kind`.
        @inline(__always) get { Kind(rawValue: UInt8(truncatingIfNeeded: raw))! }
    }
    /// Facts the limits need (``isWhitespace``, ``standsAlone``), set by ``classify(_:expansions:)``.
    var flags: UInt8 {
        @inline(__always) get { byte(1) }
        set { setByte(1, newValue) }
    }
    /// What the scalar tells the tokenizer (``TextNormalizer/WordTraits``), set with the flags.
    var word: UInt8 {
        @inline(__always) get { byte(2) }
        set { setByte(2, newValue) }
    }
    /// Jamo units beyond one that the scalar may give in the jamo view (a syllable up to five, a jamo two).
    var extraJamo: UInt8 {
        @inline(__always) get { byte(3) }
        set { setByte(3, newValue) }
    }
    var value: UInt32 {
        @inline(__always) get { UInt32(truncatingIfNeeded: raw >> 32) }
    }

    @inline(__always)
    private func byte(_ index: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: raw >> (8 * index)) }

    private mutating func setByte(_ index: UInt64, _ byte: UInt8) {
        raw = raw & ~(0xFF << (8 * index)) | UInt64(byte) << (8 * index)
    }

    static let whitespaceFlag: UInt8 = 1
    static let standsAloneFlag: UInt8 = 2
    static let composesFlag: UInt8 = 4
    static let signalFlag: UInt8 = 8
    static let limitsFlag: UInt8 = 16

    /// Unicode White_Space.
    var isWhitespace: Bool { flags & Self.whitespaceFlag != 0 }
    /// The scalar is always a user-perceived character of its own, whatever stands beside it: it is none of what
    /// joins characters (extending and spacing marks, zero-width joiners and other format characters, prepended
    /// concatenation marks, conjoining Hangul jamo, regional indicators, emoji modifiers, CR) and it is assigned. A
    /// text made only of such scalars has as many characters as scalars.
    var standsAlone: Bool { flags & Self.standsAloneFlag != 0 }
    /// NFC may change the text around this scalar (a combining mark, a conjoining jamo), so it cannot be read as is.
    var composes: Bool { flags & Self.composesFlag != 0 }
    /// The scalar counts for ``TextNormalizer/SignalsCounter`` (a digit, an at sign, a dot, 닷…).
    var isSignal: Bool { flags & Self.signalFlag != 0 }

    /// The limits need a closer look at a text holding this scalar: it is a control character (tab and line breaks
    /// included), or it may join its neighbours into one character. A text without such scalars has its limits read
    /// off its ends (see ``TextNormalizer/MeasuresCounter/plain(_:)``).
    var needsLimitsCount: Bool { flags & Self.limitsFlag != 0 }

    /// The flags that depend on the class as well as the scalar (the others must be set already).
    private static func classFlags(_ scalarClass: ScalarClass, _ v: UInt32) -> UInt8 {
        let signal = TextNormalizer.SignalsCounter.matters(v, scalarClass)
        let limits = !scalarClass.standsAlone || v < 0x20 || (0x7F..<0xA0).contains(v)
        return (signal ? signalFlag : 0) | (limits ? limitsFlag : 0)
    }

    /// The class of the scalar `value` (the table for the BMP, computed beyond it).
    static func of(_ value: UInt32) -> ScalarClass {
        value < 0x10000 ? bmpTable[Int(value)] : classifySupplementary(value)
    }

    /// The supplementary scalars comments hold most: emoji and pictographs.
    static let emojiRange: Range<UInt32> = 0x1F000..<0x1FB00
    /// The classes of ``emojiRange``, computed on first use (the Unicode property lookups cost thousands of
    /// instructions per scalar).
    private static let emojiTable: [ScalarClass] = emojiRange.map(computeSupplementary)

    /// Classifies a scalar beyond the BMP (emoji, mathematical letters, tags). Kept out of line: the loops that call
    /// it rarely do, and run faster without its code.
    @inline(never)
    static func classifySupplementary(_ value: UInt32) -> ScalarClass {
        emojiRange.contains(value) ? emojiTable[Int(value - emojiRange.lowerBound)] : computeSupplementary(value)
    }

    /// ``classifySupplementary(_:)`` without the emoji table.
    static func computeSupplementary(_ value: UInt32) -> ScalarClass {
        guard let scalar = Unicode.Scalar(value) else { return ScalarClass(kind: .separator, value: 0x20) }
        var result = supplementaryKind(value)
        if standsAlone(scalar) { result.flags |= standsAloneFlag }  // no White_Space lies beyond the BMP
        if composes(value) { result.flags |= composesFlag }
        result.flags |= classFlags(result, value)
        result.setWordTraits(value)
        return result
    }

    private static func supplementaryKind(_ value: UInt32) -> ScalarClass {
        switch value {
        case 0x1F000...0x1F0FF, 0x1F200...0x1FAFF: return ScalarClass(kind: .separator, value: 0x20)  // emoji and symbols
        case 0xE0000...0xE007F, 0xE0100...0xE01EF: return ScalarClass(kind: .invisible, value: value)  // tags, variation selectors
        default: return Unicode.Scalar(value).map(compute) ?? ScalarClass(kind: .separator, value: 0x20)
        }
    }

    /// The class of `scalar` with its flags: what fills the table, and what scalars beyond the BMP get.
    static func classify(_ scalar: Unicode.Scalar, expansions: inout [String]) -> ScalarClass {
        var result = compute(scalar, expansions: &expansions)
        if TextNormalizer.isWhitespace(scalar.value) { result.flags |= whitespaceFlag }
        if standsAlone(scalar) { result.flags |= standsAloneFlag }
        if composes(scalar.value) { result.flags |= composesFlag }
        result.flags |= classFlags(result, scalar.value)
        result.setWordTraits(scalar.value)
        return result
    }

    /// Sets ``word`` and ``extraJamo`` for the scalar `v` of this class.
    private mutating func setWordTraits(_ v: UInt32) {
        typealias Traits = TextNormalizer.WordTraits
        // Which kinds are word characters is ``TextNormalizer/isWordCharacter(_:)``'s to say; the rest is what each adds.
        let skipped = kind == .invisible || kind == .combining
        let wordBit = !skipped && TextNormalizer.isWordCharacter(kind) ? Traits.word : 0
        switch kind {
        case .invisible, .combining: word = Traits.skip
        case .latin: word = Traits.latin | (TextNormalizer.isASCIILetter(v) ? 0 : Traits.notASCIILetter)
        case .syllable: (word, extraJamo) = (Traits.hangul, 4)
        case .jamo: (word, extraJamo) = (Traits.hangul, 1)
        case .ideograph: word = Traits.hangul  // Hanja belong to Korean words (丙申年)
        case .digit: word = Traits.digit
        case .expansion: word = Traits.expansion
        // Any separator but whitespace may belong to the word around it (``TextNormalizer/separatorJoins``).
        case .separator: word = TextNormalizer.isWhitespace(v) ? 0 : Traits.joins | Traits.notASCIILetter
        case .otherLetter, .newline, .control: word = 0
        }
        word |= wordBit
        // Any other word character is no ASCII letter (expansions tell their word themselves, see expansionTraits).
        if wordBit != 0, kind != .latin, kind != .expansion { word |= Traits.notASCIILetter }
    }

    /// See ``composes``: conjoining jamo, and scalars with a non-zero canonical combining class.
    static func composes(_ v: UInt32) -> Bool {
        guard v >= 0x300, !(0xAC00...0xD7A3).contains(v), !(0x3131...0x318E).contains(v), !(0x4E00...0x9FFF).contains(v) else {
            return false
        }
        if (0x1100...0x11FF).contains(v) || (0xA960...0xA97F).contains(v) || (0xD7B0...0xD7FF).contains(v) { return true }
        return Unicode.Scalar(v).map { $0.properties.canonicalCombiningClass != .notReordered } ?? false
    }

    /// See ``standsAlone``. Conservative: a scalar it is unsure of is counted the slow way, by the standard library.
    static func standsAlone(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v == 0x0D { return false }  // CR LF is one character
        if v < 0x300 { return true }
        switch v {
        case 0xAC00...0xD7A3, 0x4E00...0x9FFF: return true  // syllables and ideographs: letters (and half the table)
        case 0x1100...0x11FF, 0xA960...0xA97F, 0xD7B0...0xD7FF: return false  // conjoining jamo
        case 0x1F1E6...0x1F1FF: return false  // regional indicators pair into flags
        case 0x0E33, 0x0EB3: return false  // Thai and Lao SARA AM are spacing marks for grapheme breaking
        case 0x0D4E, 0x111C2, 0x111C3, 0x1193F, 0x11941, 0x11A3A, 0x11A84...0x11A89, 0x11D46: return false  // prepended letters
        default: break
        }
        let properties = scalar.properties
        if properties.isGraphemeExtend || properties.isEmojiModifier { return false }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .format, .unassigned, .surrogate: return false
        default: return true
        }
    }

    /// Multi-character foldings, indexed by `value` of `.expansion` classes.
    static let expansions: [String] = buildTables().expansions

    /// The classes of the BMP, for loops that classify many scalars.
    static let bmpTable: [ScalarClass] = buildTables().table

    private static let built = TableBuilder.build()
    private static func buildTables() -> (table: [ScalarClass], expansions: [String]) { built }

    /// Classifies one scalar from scratch (used to fill the table, and for scalars beyond the BMP).
    static func compute(_ scalar: Unicode.Scalar, expansions: inout [String]) -> ScalarClass {
        let v = scalar.value
        switch v {
        case 0x0A, 0x0D: return ScalarClass(kind: .newline, value: v)
        case 0x09, 0x0B, 0x0C: return ScalarClass(kind: .separator, value: 0x20)
        case 0x00..<0x20, 0x7F..<0xA0: return ScalarClass(kind: .control, value: v)
        case 0x30...0x39: return ScalarClass(kind: .digit, value: v)
        case 0x41...0x5A: return ScalarClass(kind: .latin, value: v + 0x20)
        case 0x61...0x7A: return ScalarClass(kind: .latin, value: v)
        case 0x00..<0x80: return ScalarClass(kind: .separator, value: v)
        default: break
        }
        if isInvisible(v) { return ScalarClass(kind: .invisible, value: v) }
        if (0xAC00...0xD7A3).contains(v) { return ScalarClass(kind: .syllable, value: v) }
        if (0x3131...0x318E).contains(v) { return ScalarClass(kind: .jamo, value: v) }
        if let jamo = Hangul.compatibilityJamo(forConjoiningOrHalfwidth: v) { return ScalarClass(kind: .jamo, value: jamo) }
        if let latin = Obfuscations.latinClass(v) { return latin }
        if (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2FA1F).contains(v) {
            return ScalarClass(kind: .ideograph, value: v)
        }
        let properties = scalar.properties
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark:
            return ScalarClass(kind: .combining, value: v)
        default: break
        }
        // Compatibility folding (NFKC) for the blocks that hold Latin look-alikes and decorated digits: full-width
        // forms, circled and parenthesized letters, mathematical alphanumerics, ligatures, letterlike symbols.
        // Hangul compatibility jamo are already handled above, so NFKC never turns ㅅㅂ into conjoining jamo here.
        if foldsByCompatibility(v) {
            let folded = String(scalar).decomposedStringWithCompatibilityMapping.lowercased()
            var ascii = ""
            var hangul: [ScalarClass] = []
            for s in folded.unicodeScalars {
                if s.value < 0x80 {
                    if (0x61...0x7A).contains(s.value) || (0x30...0x39).contains(s.value) { ascii.unicodeScalars.append(s) }
                } else if s.properties.generalCategory == .nonspacingMark {
                    continue
                } else if let latin = Obfuscations.latinLookalikes[s.value] {
                    ascii.unicodeScalars.append(Unicode.Scalar(latin)!)  // a digit look-alike stays a digit: the single-scalar case below reads it so
                } else if (0xAC00...0xD7A3).contains(s.value) {
                    hangul.append(ScalarClass(kind: .syllable, value: s.value))
                } else if (0x3131...0x318E).contains(s.value) {
                    hangul.append(ScalarClass(kind: .jamo, value: s.value))
                } else if let jamo = Hangul.compatibilityJamo(forConjoiningOrHalfwidth: s.value) {
                    hangul.append(ScalarClass(kind: .jamo, value: jamo))
                }
            }
            // ㈀ and ㉠ fold through NFKC to conjoining jamo or syllables: keep them Hangul.
            if ascii.isEmpty, hangul.count == 1 { return hangul[0] }
            if !hangul.isEmpty, ascii.isEmpty {
                let text = String(String.UnicodeScalarView(hangul.compactMap { Unicode.Scalar($0.value) }))
                expansions.append(text)
                return ScalarClass(kind: .expansion, value: UInt32(expansions.count - 1))
            }
            if ascii.count == 1, let first = ascii.unicodeScalars.first {
                return first.value < 0x3A ? ScalarClass(kind: .digit, value: first.value) : ScalarClass(kind: .latin, value: first.value)
            }
            if ascii.count > 1 {
                expansions.append(ascii)
                return ScalarClass(kind: .expansion, value: UInt32(expansions.count - 1))
            }
        }
        if properties.numericType == .decimal, let number = properties.numericValue, number >= 0, number <= 9 {
            return ScalarClass(kind: .digit, value: 0x30 + UInt32(number))
        }
        if properties.isAlphabetic { return ScalarClass(kind: .otherLetter, value: v) }
        return ScalarClass(kind: .separator, value: 0x20)
    }

    private static func compute(_ scalar: Unicode.Scalar) -> ScalarClass {
        var scratch: [String] = []
        let result = compute(scalar, expansions: &scratch)
        guard result.kind == .expansion else { return result }
        // Beyond the BMP, expansions are rare: find the same text in the shared table, or treat as a boundary.
        if let index = expansions.firstIndex(of: scratch[Int(result.value)]) {
            return ScalarClass(kind: .expansion, value: UInt32(index))
        }
        return ScalarClass(kind: .separator, value: 0x20)
    }

    static func isInvisible(_ v: UInt32) -> Bool {
        switch v {
        case 0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B...0x180F, 0x200B...0x200F, 0x202A...0x202E,
            0x2060...0x2064, 0x2066...0x206F, 0x3164, 0xFE00...0xFE0F, 0xFEFF, 0xFFA0, 0xFFF9...0xFFFB, 0x1BCA0...0x1BCA3,
            0x1D173...0x1D17A, 0xE0000...0xE007F, 0xE0100...0xE01EF:
            return true
        default:
            return false
        }
    }

    private static func foldsByCompatibility(_ v: UInt32) -> Bool {
        switch v {
        case 0x00A0...0x024F, 0x1D00...0x1DBF, 0x1E00...0x1EFF, 0x2070...0x218F, 0x2460...0x24FF, 0x2C60...0x2C7F,
            0x3200...0x33FF, 0xA720...0xA7FF, 0xAB30...0xAB6F, 0xFB00...0xFB06, 0xFF00...0xFFEF, 0x1D400...0x1D7FF,
            0x1F100...0x1F1FF:
            return true
        default:
            return false
        }
    }
}

/// Fills the BMP table once.
private enum TableBuilder {
    static func build() -> (table: [ScalarClass], expansions: [String]) {
        var expansions: [String] = []
        var table: [ScalarClass] = []
        table.reserveCapacity(0x10000)
        for v in 0..<UInt32(0x10000) {
            if let scalar = Unicode.Scalar(v) {
                table.append(ScalarClass.classify(scalar, expansions: &expansions))
            } else {
                table.append(ScalarClass(kind: .separator, value: 0x20))  // surrogate code points never occur
            }
        }
        return (table, expansions)
    }
}
