// The Latin view: words folded to lower-case ASCII letters, leet read as letters.

extension TextNormalizer {
    // MARK: The Latin view

    static func latinView(_ base: BaseText, tokens: ArraySlice<Token>, capacity: Int, into view: inout TextView) {
        view.write(capacity: capacity) { view in
            let scalars = base.scalars.span
            if base.identity {
                latinUnits(base, scalars: scalars, tokens: tokens, offsets: SameOffsets(), into: &view)
            } else {
                latinUnits(base, scalars: scalars, tokens: tokens, offsets: base.storedOffsets, into: &view)
            }
        }
    }

    private static func latinUnits<Offsets: OriginalOffsets>(
        _ base: BaseText,
        scalars: Span<UInt32>,
        tokens: ArraySlice<Token>,
        offsets: Offsets,
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
                            (0x30...0x39).contains(value) && token.hasLatin ? foldLatin(leetDigit(value)) : foldLatin(value),
                            start: start,
                            end: end
                        )
                    }
                }
            case .separator:
                let scalar = base.scalars[index]
                if let letter = leetLetter(scalar) {
                    view.append(foldLatin(letter), start: start, end: end)
                } else if scalar == Obfuscations.maskScalar {
                    view.append(scalar, start: start, end: end)  // a masked letter (f*ck): masked spellings of terms read it
                }
            case .invisible, .combining:
                continue
            default:
                view.append(TextView.boundary, start: start, end: end)
            }
        }
    }
}
