// Measures: what the policy's `Limits` are checked against (characters as a browser counts them, lines, controls).

extension TextNormalizer {
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
                characters: counted.characters,
                maxScalars: counted.maxScalars,
                control: control,
                blank: blank,
                lines: lines,
                bidi: bidi
            )
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
