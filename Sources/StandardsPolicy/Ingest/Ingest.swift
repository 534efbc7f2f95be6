import Foundation

// Ingest: the UTF-8 of a comment into scalars with their classes, composed to NFC when it must be.

extension TextNormalizer {
    /// One pass over the UTF-8 of `text` that decodes it into `base` (with classes) and counts the signals; returns
    /// the flags of all its scalars together (see ``ScalarClass/limitsFlag``). Stored comments are NFC already (the
    /// database normalizes them), so this is the usual path; it returns nil when a scalar that NFC could change was
    /// read (the text must then be composed, and `base` and `signals` are to be written afresh). The UTF-8 is read in
    /// place.
    static func ingest(_ text: String, into base: inout BaseText, signals: inout SignalsCounter) -> UInt8? {
        let bytes = text.utf8.span
        let table = ScalarClass.bmpTable
        var seen: UInt8 = 0
        let read = base.write(capacity: bytes.count) { scalars, classes in
            var index = 0
            let end = bytes.count
            while index < end {
                // The string's UTF-8 is valid: a lead byte says how many continuation bytes follow.
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
                scalars.append(v)
                classes.append(scalarClass)
                seen |= scalarClass.flags
                if !scalarClass.isSignal && signals.takesPlain {
                    signals.addPlain(v, scalarClass.kind)
                } else {
                    signals.add(v, scalarClass)
                }
            }
            // A scalar that composes sends the text down the composing path (rare, so looked for once here).
            return seen & ScalarClass.composesFlag == 0
        }
        return read ? seen : nil
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
}
