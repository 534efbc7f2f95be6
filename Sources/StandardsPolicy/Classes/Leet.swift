// Leet: symbols and digits that stand for Latin letters inside a Latin word.

extension TextNormalizer {
    /// Leet symbols that stand for letters inside a Latin word (``Obfuscations/leetSymbols``).
    @inline(__always)
    static func leetLetter(_ scalar: UInt32) -> UInt32? { Obfuscations.leetSymbols[scalar] }

    /// Digits that stand for letters inside a Latin word (``Obfuscations/leetDigits``); a digit with none stays itself.
    @inline(__always)
    static func leetDigit(_ digit: UInt32) -> UInt32 { Obfuscations.leetDigits[digit] ?? digit }

    /// `l` reads as `i` in the Latin view (l, 1, |, ! and I look alike), in comments and terms alike.
    @inline(__always)
    static func foldLatin(_ letter: UInt32) -> UInt32 { letter == 0x6C ? 0x69 : letter }
}
