// The jamo view: Hangul words as keyboard jamo, look-alikes in Hangul context, ASCII words typed on a Korean keyboard.

extension TextNormalizer {
    // MARK: The jamo view

    static func jamoView(_ base: BaseText, tokens: ArraySlice<Token>, capacity: Int, into view: inout TextView) {
        view.write(capacity: capacity) { view in
            let table = Hangul.syllableKeys
            let syllableKeys = table.span
            let scalars = base.scalars.span
            if base.identity {
                jamoUnits(base, scalars: scalars, tokens: tokens, syllableKeys: syllableKeys, offsets: SameOffsets(), into: &view)
            } else {
                jamoUnits(base, scalars: scalars, tokens: tokens, syllableKeys: syllableKeys, offsets: base.storedOffsets, into: &view)
            }
        }
    }

    private static func jamoUnits<Offsets: OriginalOffsets>(
        _ base: BaseText,
        scalars: Span<UInt32>,
        tokens: ArraySlice<Token>,
        syllableKeys: Span<UInt64>,
        offsets: Offsets,
        into view: inout TextView.Writer
    ) {
        for token in tokens {
            if token.onlySyllables {
                // Only the first syllable's first key can repeat the unit before it.
                view.appendSyllable(
                    syllableKeys[Int(scalars[token.start] &- Hangul.syllableBase)],
                    start: offsets.start(token.start),
                    end: offsets.end(token.start)
                )
                for index in (token.start &+ 1)..<token.end {
                    if Hangul.stretches(scalars[index &- 1], scalars[index]) {
                        view.stretchLast(end: offsets.end(index))
                        continue
                    }
                    view.appendSyllableAfterSyllable(
                        syllableKeys[Int(scalars[index] &- Hangul.syllableBase)],
                        start: offsets.start(index),
                        end: offsets.end(index)
                    )
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
        _ base: BaseText,
        token: Token,
        syllableKeys: Span<UInt64>,
        into view: inout TextView.Writer
    ) {
        for index in token.start..<token.end {
            let scalarClass = base.classes[index]
            let start = base.start(index)
            let end = base.end(index)
            switch scalarClass.kind {
            case .syllable:
                if index > token.start, base.classes[index - 1].kind == .syllable, Hangul.stretches(base.scalars[index - 1], scalarClass.value) {
                    view.stretchLast(end: end)
                } else {
                    view.appendSyllable(syllableKeys[Int(scalarClass.value - Hangul.syllableBase)], start: start, end: end)
                }
            case .jamo: Hangul.appendKeys(of: scalarClass.value, to: &view, start: start, end: end, role: .alone)
            case .ideograph:
                // A character that looks like a jamo reads as one beside Hangul letters (人ㅂ); Hanja stay themselves (丙申年).
                if let jamo = Hangul.lookalike(scalarClass.value), besideHangulLetter(base, index, token: token) {
                    view.append(jamo, start: start, end: end)
                } else {
                    view.append(scalarClass.value, start: start, end: end)
                }
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
                // Symbols and digits between the syllables of a word are filler (개.새끼, 시1발, 지-랄): skipped.
                if betweenSyllables(base, index, token: token) { continue }
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

    /// Whether the symbol or digit at `index` sits, with at most ``glueRun`` others, between two syllables of `token`.
    private static func betweenSyllables(_ base: BaseText, _ index: Int, token: Token) -> Bool {
        func syllable(from start: Int, step: Int) -> Bool {
            var position = start
            var fillers = 0
            while position >= token.start, position < token.end {
                switch base.classes[position].kind {
                case .syllable: return true
                case .invisible, .combining: break
                case .separator, .digit:
                    fillers += 1
                    if fillers > glueRun { return false }
                default: return false
                }
                position += step
            }
            return false
        }
        return syllable(from: index - 1, step: -1) && syllable(from: index + 1, step: 1)
    }

    /// Whether a Hangul letter (jamo or syllable) stands next to `index` in `token`, invisible characters aside.
    private static func besideHangulLetter(_ base: BaseText, _ index: Int, token: Token) -> Bool {
        for step in [-1, 1] {
            var position = index + step
            while position >= token.start, position < token.end, base.classes[position].kind == .invisible { position += step }
            if position >= token.start, position < token.end, [.jamo, .syllable].contains(base.classes[position].kind) { return true }
        }
        return false
    }

    /// A word of ASCII letters as typed on a Korean keyboard, if it spells Korean syllables.
    @inline(never)
    private static func keyboardUnits(_ base: BaseText, token: Token, into view: inout TextView.Writer) {
        // Keyboard readings only count when they spell four jamo or more and parse as Korean syllables.
        let keys: Bool
        if token.end - token.start == token.visible {
            // Every scalar is an ASCII letter: the keys are read straight off them.
            keys = Hangul.spellsSyllables(count: token.visible) {
                Hangul.dubeolsik(UInt8(truncatingIfNeeded: base.scalars[token.start + $0])) ?? 0
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
        var keys: [UInt32] = []
        keys.reserveCapacity(token.visible)
        for index in token.start..<token.end where base.scalars[index] < 0x80 {
            if let jamo = Hangul.dubeolsik(UInt8(base.scalars[index])) { keys.append(jamo) }
        }
        return Hangul.spellsSyllables(keys)
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
}
