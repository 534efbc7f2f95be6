/// Hangul tables: syllable decomposition into one jamo alphabet, and the 두벌식 keyboard.
///
/// The jamo view spells every syllable as the compatibility jamo a person types, with compound vowels and
/// compound final consonants split into their keys (ㅘ → ㅗㅏ, ㄺ → ㄹㄱ). So 시발, ㅅㅣㅂㅏㄹ, "tlqkf" typed on a
/// Korean keyboard, and ㅅ1ㅂ all reach the same letters.
enum Hangul {
    static let syllableBase: UInt32 = 0xAC00
    static let syllableLast: UInt32 = 0xD7A3

    /// Compatibility jamo for the 19 initial consonants.
    static let initials: [UInt32] = [
        0x3131, 0x3132, 0x3134, 0x3137, 0x3138, 0x3139, 0x3141, 0x3142, 0x3143, 0x3145, 0x3146, 0x3147, 0x3148, 0x3149,
        0x314A, 0x314B, 0x314C, 0x314D, 0x314E,
    ]
    /// Compatibility jamo for the 21 vowels.
    static let vowels: [UInt32] = Array(0x314F...0x3163)
    /// Compatibility jamo for the 27 final consonants (index 0 of the syllable arithmetic means none).
    static let finals: [UInt32] = [
        0x3131, 0x3132, 0x3133, 0x3134, 0x3135, 0x3136, 0x3137, 0x3139, 0x313A, 0x313B, 0x313C, 0x313D, 0x313E, 0x313F,
        0x3140, 0x3141, 0x3142, 0x3144, 0x3145, 0x3146, 0x3147, 0x3148, 0x314A, 0x314B, 0x314C, 0x314D, 0x314E,
    ]

    /// Compound jamo and the keys that type them.
    static let compounds: [UInt32: [UInt32]] = [
        0x3158: [0x3157, 0x314F], 0x3159: [0x3157, 0x3150], 0x315A: [0x3157, 0x3163],  // ㅘ ㅙ ㅚ
        0x315D: [0x315C, 0x3153], 0x315E: [0x315C, 0x3154], 0x315F: [0x315C, 0x3163],  // ㅝ ㅞ ㅟ
        0x3162: [0x3161, 0x3163],  // ㅢ
        0x3133: [0x3131, 0x3145], 0x3135: [0x3134, 0x3148], 0x3136: [0x3134, 0x314E],  // ㄳ ㄵ ㄶ
        0x313A: [0x3139, 0x3131], 0x313B: [0x3139, 0x3141], 0x313C: [0x3139, 0x3142], 0x313D: [0x3139, 0x3145],  // ㄺ ㄻ ㄼ ㄽ
        0x313E: [0x3139, 0x314C], 0x313F: [0x3139, 0x314D], 0x3140: [0x3139, 0x314E], 0x3144: [0x3142, 0x3145],  // ㄾ ㄿ ㅀ ㅄ
    ]

    /// The two keys of a compound jamo packed as `first << 32 | second`, or 0 for a single key.
    @inline(__always)
    static func compoundKeys(_ jamo: UInt32) -> UInt64 {
        func pack(_ a: UInt32, _ b: UInt32) -> UInt64 { UInt64(a) << 32 | UInt64(b) }
        switch jamo {
        case 0x3158: return pack(0x3157, 0x314F)  // ㅘ
        case 0x3159: return pack(0x3157, 0x3150)  // ㅙ
        case 0x315A: return pack(0x3157, 0x3163)  // ㅚ
        case 0x315D: return pack(0x315C, 0x3153)  // ㅝ
        case 0x315E: return pack(0x315C, 0x3154)  // ㅞ
        case 0x315F: return pack(0x315C, 0x3163)  // ㅟ
        case 0x3162: return pack(0x3161, 0x3163)  // ㅢ
        case 0x3133: return pack(0x3131, 0x3145)  // ㄳ
        case 0x3135: return pack(0x3134, 0x3148)  // ㄵ
        case 0x3136: return pack(0x3134, 0x314E)  // ㄶ
        case 0x313A: return pack(0x3139, 0x3131)  // ㄺ
        case 0x313B: return pack(0x3139, 0x3141)  // ㄻ
        case 0x313C: return pack(0x3139, 0x3142)  // ㄼ
        case 0x313D: return pack(0x3139, 0x3145)  // ㄽ
        case 0x313E: return pack(0x3139, 0x314C)  // ㄾ
        case 0x313F: return pack(0x3139, 0x314D)  // ㄿ
        case 0x3140: return pack(0x3139, 0x314E)  // ㅀ
        case 0x3144: return pack(0x3142, 0x3145)  // ㅄ
        default: return 0
        }
    }

    /// Compatibility jamo of the initial consonant with index `index` (0…18).
    @inline(__always)
    static func initialJamo(_ index: UInt32) -> UInt32 {
        switch index {
        case 0: 0x3131
        case 1: 0x3132
        case 2: 0x3134
        case 3: 0x3137
        case 4: 0x3138
        case 5: 0x3139
        case 6: 0x3141
        case 7: 0x3142
        case 8: 0x3143
        case 9: 0x3145
        case 10: 0x3146
        case 11: 0x3147
        case 12: 0x3148
        case 13: 0x3149
        case 14: 0x314A
        case 15: 0x314B
        case 16: 0x314C
        case 17: 0x314D
        default: 0x314E
        }
    }

    /// Compatibility jamo of the final consonant with index `index` (1…27).
    @inline(__always)
    static func finalJamo(_ index: UInt32) -> UInt32 {
        switch index {
        case 1...7: 0x3130 + index  // ㄱ ㄲ ㄳ ㄴ ㄵ ㄶ ㄷ
        case 8...17: 0x3131 + index  // ㄹ ㄺ ㄻ ㄼ ㄽ ㄾ ㄿ ㅀ ㅁ ㅂ
        case 18...22: 0x3132 + index  // ㅄ ㅅ ㅆ ㅇ ㅈ
        default: 0x3133 + index  // ㅊ ㅋ ㅌ ㅍ ㅎ
        }
    }

    /// Appends the typed jamo of a compatibility jamo (splitting compounds) to `view`.
    @inline(__always)
    static func appendKeys(of jamo: UInt32, to view: inout TextView.Writer, start: Int32, end: Int32, role: TextView.Role) {
        let packed = compoundKeys(jamo)
        if packed == 0 {
            view.append(jamo, start: start, end: end, role: role)
        } else {
            view.append(UInt32(packed >> 32), start: start, end: end, role: role)
            view.append(UInt32(packed & 0xFFFF_FFFF), start: start, end: end, role: role)
        }
    }

    /// Appends the typed jamo of a precomposed syllable, with each one's role (initial, vowel, final), to `view`.
    @inline(__always)
    static func appendKeys(ofSyllable syllable: UInt32, to view: inout TextView.Writer, start: Int32, end: Int32) {
        let index = syllable - syllableBase
        let final = index % 28
        view.append(initialJamo(index / (21 * 28)), start: start, end: end, role: .initial)
        appendKeys(of: 0x314F + (index % (21 * 28)) / 28, to: &view, start: start, end: end, role: .vowel)
        if final > 0 { appendKeys(of: finalJamo(final), to: &view, start: start, end: end, role: .final) }
    }

    /// Every syllable's keys as ``appendKeys(ofSyllable:to:start:end:)`` writes them, packed for the jamo view's
    /// inner loop: bits 0–2 hold the count (2…5), then eight bits per key, the jamo's offset from U+3131 (six bits)
    /// and its role (two bits). Built from `appendKeys` itself, so that function stays the one definition.
    static let syllableKeys: [UInt64] = {
        var view = TextView()
        return (syllableBase...syllableLast).map { syllable in
            view.write(capacity: 5) { appendKeys(ofSyllable: syllable, to: &$0, start: 0, end: 1) }
            let units = view.units
            var packed = UInt64(view.count)
            for (position, symbol) in view.symbols.enumerated() {
                packed |= (UInt64(symbol - 0x3131) | UInt64(units[position].role) << 6) << (3 + 8 * UInt64(position))
            }
            return packed
        }
    }()

    /// Maps conjoining jamo (U+1100…U+11FF, as NFD leaves them) and half-width jamo to compatibility jamo.
    static func compatibilityJamo(forConjoiningOrHalfwidth v: UInt32) -> UInt32? {
        switch v {
        case 0x1100...0x1112: return initials[Int(v - 0x1100)]
        case 0x1161...0x1175: return vowels[Int(v - 0x1161)]
        case 0x11A8...0x11C2: return finals[Int(v - 0x11A8)]
        case 0xFFA1...0xFFBE: return 0x3131 + (v - 0xFFA1)
        case 0xFFC2...0xFFC7: return 0x314F + (v - 0xFFC2)
        case 0xFFCA...0xFFCF: return 0x3155 + (v - 0xFFCA)
        case 0xFFD2...0xFFD7: return 0x315B + (v - 0xFFD2)
        case 0xFFDA...0xFFDC: return 0x3161 + (v - 0xFFDA)
        default: return nil
        }
    }

    /// The jamo a Latin key types on the 두벌식 keyboard (``Obfuscations/dubeolsik``).
    @inline(__always)
    static func dubeolsik(_ key: UInt8) -> UInt32? { Obfuscations.dubeolsik[UInt32(key)] }

    /// Whether keys typed on a 두벌식 keyboard spell Korean syllables: consonant, vowel (or a compound vowel pair),
    /// then at most two final consonants that may stand together. `tlqkf` (시발) does; most English words (`this`,
    /// `comment`) do not, so they are not read as Korean at all.
    static func spellsSyllables(_ keys: [UInt32]) -> Bool {
        spellsSyllables(count: keys.count) { keys[$0] }
    }

    /// ``spellsSyllables(_:)`` over `count` keys read through `key`, so a caller can map its letters on the way.
    @inline(__always)
    static func spellsSyllables(count: Int, key: (Int) -> UInt32) -> Bool {
        func compoundVowel(_ a: UInt32, _ b: UInt32) -> Bool {
            (a == 0x3157 && (b == 0x314F || b == 0x3150 || b == 0x3163)) || (a == 0x315C && (b == 0x3153 || b == 0x3154 || b == 0x3163))
                || (a == 0x3161 && b == 0x3163)
        }
        func finalPair(_ a: UInt32, _ b: UInt32) -> Bool {
            switch (a, b) {
            case (0x3131, 0x3145), (0x3134, 0x3148), (0x3134, 0x314E), (0x3139, 0x3131), (0x3139, 0x3141), (0x3139, 0x3142),
                (0x3139, 0x3145), (0x3139, 0x314C), (0x3139, 0x314D), (0x3139, 0x314E), (0x3142, 0x3145):
                return true
            default: return false
            }
        }
        var index = 0
        while index < count {
            guard !isVowel(key(index)), index + 1 < count, isVowel(key(index + 1)) else { return false }
            index += 2
            if index < count, isVowel(key(index)) {
                guard compoundVowel(key(index - 1), key(index)) else { return false }
                index += 1
            }
            var consonants = 0
            while index + consonants < count, !isVowel(key(index + consonants)) { consonants += 1 }
            let finals = index + consonants < count ? consonants - 1 : consonants
            guard finals >= 0, finals <= 2 else { return false }
            if finals >= 1, key(index) == 0x3138 || key(index) == 0x3143 || key(index) == 0x3149 { return false }  // ㄸ ㅃ ㅉ are never finals
            if finals == 2, !finalPair(key(index), key(index + 1)) { return false }
            index += finals
        }
        return true
    }

    /// Whether `syllable` only stretches the vowel of the syllable before it (씨이이발: each 이 after 씨): it is ㅇ with
    /// the same vowel, and neither has a final. Both must be precomposed syllables.
    @inline(__always)
    static func stretches(_ previous: UInt32, _ syllable: UInt32) -> Bool {
        let before = previous &- syllableBase
        let after = syllable &- syllableBase
        return after / 588 == 11 && after % 28 == 0 && before % 28 == 0 && before % 588 / 28 == after % 588 / 28
    }

    /// Whether a compatibility jamo is a vowel.
    @inline(__always)
    static func isVowel(_ jamo: UInt32) -> Bool { (0x314F...0x3163).contains(jamo) }

    /// Whether two ASCII letters typed on a 두벌식 keyboard could begin Korean syllables (a consonant key, then a
    /// vowel key), as ``spellsSyllables(_:)`` requires: most English words fail this before their keys are collected.
    static func opensSyllable(_ first: UInt8, _ second: UInt8) -> Bool {
        let vowelKeys = vowelKeyMask
        func letter(_ key: UInt8) -> UInt32? {
            let index = UInt32(key | 0x20) &- 0x61
            return (key | 0x20) >= 0x61 && index < 26 ? index : nil
        }
        guard let initial = letter(first), let vowel = letter(second) else { return false }
        return vowelKeys >> initial & 1 == 0 && vowelKeys >> vowel & 1 == 1
    }

    /// The letters whose keys type a vowel (bit `n` for the `n`-th letter of the alphabet, either case), from the
    /// keyboard table: Shift changes a key's jamo (O types ㅒ, o ㅐ) but never whether it is a vowel.
    static let vowelKeyMask: UInt32 = Obfuscations.dubeolsik.entries.reduce(0) { mask, entry in
        let letter = (entry.from | 0x20) &- 0x61
        return letter < 26 && isVowel(entry.to) ? mask | 1 << letter : mask
    }

    /// Spelled digits are read as digits only in runs of at least this many syllables (공일공), so 이, 사 and 오 stay
    /// words.
    static var spelledDigitRun: Int { 3 }

    /// Sino-Korean digit syllables, read as digits in the digit view (``Obfuscations/spelledDigits``).
    @inline(__always)
    static func digitSyllable(_ scalar: UInt32) -> UInt8? {
        guard scalar >= syllableBase else { return nil }
        return Obfuscations.spelledDigits[scalar].map { UInt8($0 - 0x30) }
    }

    /// Characters that stand for jamo inside Hangul words (``Obfuscations/jamoLookalikes``).
    static func lookalike(_ scalar: UInt32) -> UInt32? { Obfuscations.jamoLookalikes[scalar] }
}
