// Leet: symbols and digits that stand for Latin letters inside a Latin word.

extension TextNormalizer {
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
}
