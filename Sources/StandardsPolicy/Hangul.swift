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

    /// Appends the typed jamo of a compatibility jamo (splitting compounds).
    @inline(__always)
    static func appendKeys(of jamo: UInt32, to out: inout [UInt32]) {
        if let keys = compounds[jamo] { out.append(contentsOf: keys) } else { out.append(jamo) }
    }

    /// Appends the typed jamo of a precomposed syllable, with each one's role (initial, vowel, final).
    @inline(__always)
    static func appendKeys(ofSyllable syllable: UInt32, to out: inout [UInt32], roles: inout [TextView.Role]) {
        let index = syllable - syllableBase
        let initial = index / (21 * 28)
        let vowel = (index % (21 * 28)) / 28
        let final = index % 28
        out.append(initials[Int(initial)])
        roles.append(.initial)
        let before = out.count
        appendKeys(of: vowels[Int(vowel)], to: &out)
        for _ in before..<out.count { roles.append(.vowel) }
        if final > 0 {
            let beforeFinal = out.count
            appendKeys(of: finals[Int(final - 1)], to: &out)
            for _ in beforeFinal..<out.count { roles.append(.final) }
        }
    }

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

    /// 두벌식 (the standard Korean keyboard): the jamo each Latin key types. Shifted keys type the tense consonants
    /// and ㅒ ㅖ; other shifted letters type the same jamo as unshifted.
    static func dubeolsik(_ key: UInt8) -> UInt32? {
        switch key {
        case UInt8(ascii: "Q"): return 0x3143  // ㅃ
        case UInt8(ascii: "W"): return 0x3149  // ㅉ
        case UInt8(ascii: "E"): return 0x3138  // ㄸ
        case UInt8(ascii: "R"): return 0x3132  // ㄲ
        case UInt8(ascii: "T"): return 0x3146  // ㅆ
        case UInt8(ascii: "O"): return 0x3152  // ㅒ
        case UInt8(ascii: "P"): return 0x3156  // ㅖ
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return dubeolsik(key + 0x20)
        default: break
        }
        let table: [UInt8: UInt32] = dubeolsikLower
        return table[key]
    }

    private static let dubeolsikLower: [UInt8: UInt32] = {
        let keys = "qwertyuiopasdfghjklzxcvbnm"
        let jamo = "ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔㅁㄴㅇㄹㅎㅗㅓㅏㅣㅋㅌㅊㅍㅠㅜㅡ"
        var map: [UInt8: UInt32] = [:]
        for (key, letter) in zip(keys.utf8, jamo.unicodeScalars) { map[key] = letter.value }
        return map
    }()

    /// Sino-Korean digit syllables, read as digits in the digit view (공일공 → 010).
    static let digitSyllables: [UInt32: UInt8] = {
        var map: [UInt32: UInt8] = [:]
        for (syllable, digit) in [
            ("공", 0), ("영", 0), ("일", 1), ("이", 2), ("삼", 3), ("사", 4), ("오", 5), ("육", 6), ("륙", 6), ("칠", 7), ("팔", 8), ("구", 9),
        ] {
            map[syllable.unicodeScalars.first!.value] = UInt8(digit)
        }
        return map
    }()

    /// Characters that stand for jamo inside Hangul words (ㅅ1ㅂ, 7ㅐ새끼, ^ㅂ).
    static func lookalike(_ scalar: UInt32) -> UInt32? {
        switch scalar {
        case 0x31, 0x6C, 0x49, 0x7C, 0x21: return 0x3163  // 1 l I | ! → ㅣ
        case 0x30, 0x6F, 0x4F: return 0x3147  // 0 o O → ㅇ
        case 0x5E: return 0x3145  // ^ → ㅅ
        case 0x37: return 0x3131  // 7 → ㄱ
        case 0x48: return 0x3150  // H → ㅐ
        case 0x4C: return 0x3134  // L → ㄴ
        case 0x45: return 0x314C  // E → ㅌ
        case 0x43: return 0x3137  // C → ㄷ
        default: return nil
        }
    }
}
