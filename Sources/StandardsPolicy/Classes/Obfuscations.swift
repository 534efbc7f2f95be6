// The obfuscation tables: what a reader types in place of a letter, a jamo or a digit, and what it stands for. Each
// class is data, declared once here and read by every stage that needs it (the class table, the tokenizer, the views,
// the signals, the digit reader) through a `ScalarTable` built from it. `TableAgreementTests` normalizes every entry of
// every table and checks that it reads as declared, and a scalar listed twice stops the build of its table, so no entry
// is dead or contradicts another.

/// One obfuscation class as a lookup: scalars read as other scalars. ASCII keys (the common ones) are read from an
/// array, the rest from a dictionary.
struct ScalarTable: Sendable {
    private var ascii = [UInt32](repeating: 0, count: 0x80)
    private var others: [UInt32: UInt32] = [:]
    /// Every entry as declared, in order (for the tests and for the checks that derive from a table).
    private(set) var entries: [(from: UInt32, to: UInt32)] = []

    /// Rows of `(sources, target)`: every scalar of `sources` reads as the one scalar of `target`.
    init(_ rows: KeyValuePairs<String, Character>) {
        self.init(
            rows.flatMap { sources, target in
                precondition(target.unicodeScalars.count == 1, "\(target): a table maps to one scalar")
                return sources.unicodeScalars.map { ($0.value, target.unicodeScalars.first!.value) }
            }
        )
    }

    /// Two rows of the same length read side by side: the n-th scalar of `keys` reads as the n-th of `values`.
    init(_ keys: String, _ values: String) {
        precondition(keys.unicodeScalars.count == values.unicodeScalars.count, "\(keys): rows of different lengths")
        self.init(zip(keys.unicodeScalars, values.unicodeScalars).map { ($0.value, $1.value) })
    }

    init(_ pairs: [(UInt32, UInt32)]) {
        for (from, to) in pairs {
            precondition(self[from] == nil, "U+\(String(from, radix: 16)) is listed twice")
            precondition(to != 0, "a table cannot map to U+0000")
            if from < 0x80 { ascii[Int(from)] = to } else { others[from] = to }
            entries.append((from, to))
        }
    }

    /// A table of both: the entries of `self`, then those of `other` (no scalar may be in both).
    func merging(_ other: ScalarTable) -> ScalarTable { ScalarTable(entries.map { ($0, $1) } + other.entries.map { ($0, $1) }) }

    @inline(__always)
    subscript(_ scalar: UInt32) -> UInt32? {
        if scalar < 0x80 {
            let value = ascii[Int(scalar)]
            return value == 0 ? nil : value
        }
        return others.isEmpty ? nil : others[scalar]
    }
}

enum Obfuscations {
    /// Leet: symbols that stand for letters inside a Latin word (b@d, a$$, sh!t). They also join the word around them
    /// (``ScalarClass/word``).
    static let leetSymbols = ScalarTable(["@": "a", "$": "s", "!|": "i", "+": "t"])

    /// Leet: digits that stand for letters inside a Latin word (sh1t, n00b, 4ss). A digit with no entry stays itself.
    static let leetDigits = ScalarTable(["0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g"])

    /// Look-alikes for jamo, read inside Hangul words (ㅅ1ㅂ, 7ㅐ새끼, ^ㅂ).
    static let jamoLookalikes = ScalarTable([
        "1lI|!": "ㅣ", "0oO": "ㅇ", "^": "ㅅ", "7": "ㄱ", "H": "ㅐ", "L": "ㄴ", "E": "ㅌ", "C": "ㄷ",
        // CJK characters shaped like jamo, read so only beside Hangul letters (人ㅂ; 丙申年 stays Hanja)
        "人": "ㅅ", "口": "ㅁ", "己": "ㄹ", "卜": "ㅏ", "匚": "ㄷ", "丨": "ㅣ", "一": "ㅡ",
    ])

    /// The 두벌식 keyboard (the standard Korean layout): the jamo each Latin key types. Shift types the tense consonants
    /// and ㅒ ㅖ on their keys; on the other keys it types what the key types unshifted.
    static let dubeolsik: ScalarTable = {
        let keys = "qwertyuiopasdfghjklzxcvbnm"
        let unshifted = ScalarTable(keys, "ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔㅁㄴㅇㄹㅎㅗㅓㅏㅣㅋㅌㅊㅍㅠㅜㅡ")
        let shifted = ScalarTable("QWERTOP", "ㅃㅉㄸㄲㅆㅒㅖ")
        let sameShifted = keys.uppercased().unicodeScalars.filter { shifted[$0.value] == nil }
            .map { ($0.value, unshifted[$0.value + 0x20]!) }
        return unshifted.merging(shifted).merging(ScalarTable(sameShifted))
    }()

    /// The symbol that masks one letter of a word (f*ck, sh*t): it stays inside the word, and the Latin view keeps it, so
    /// a term's masked spellings (``TermVariants``) match it.
    static let maskSymbol: Character = "*"
    static let maskScalar = maskSymbol.unicodeScalars.first!.value

    /// Sino-Korean digit syllables, read as digits in runs (공일공 → 010; see ``Hangul/spelledDigitRun``).
    static let spelledDigits = ScalarTable([
        "공영": "0", "일": "1", "이": "2", "삼": "3", "사": "4", "오": "5", "육륙": "6", "칠": "7", "팔": "8", "구": "9",
    ])

    /// Latin look-alikes from other scripts (Cyrillic, Greek, Armenian, Cherokee, small capitals, IPA) that compatibility
    /// folding (NFKC) does not already read as Latin: letters and digits (з reads 3, б reads 6).
    static let latinLookalikes = ScalarTable([
        // Cyrillic
        "аАӓ": "a", "вВ": "b", "сСϲҫ": "c", "ԁ": "d", "еЕёЁєЄҽ": "e", "һҺ": "h", "іІїЇӏӀ": "i", "јЈ": "j", "кКқ": "k",
        "мМ": "m", "нН": "h", "оОӧ": "o", "рР": "p", "ԛ": "q", "ѕЅ": "s", "тТ": "t", "уУүҮ": "y", "хХҳ": "x", "ԝԜ": "w",
        "ɡԌ": "g", "ьЬ": "b", "пП": "n", "гГ": "r", "зЗ": "3", "Ч": "4", "бБ": "6",
        // Greek
        "αΑ": "a", "βΒ": "b", "εΕ": "e", "ηΗ": "n", "ιΙ": "i", "κΚ": "k", "μΜ": "m", "νΝ": "v", "οΟσ": "o", "ρΡ": "p",
        "τΤ": "t", "υΥ": "u", "χΧ": "x", "Ζ": "z", "γ": "y", "ω": "w",
        // Armenian
        "ա": "w", "ց": "g", "հ": "h", "ո": "n", "ս": "u", "օՕ": "o", "զ": "q", "ռ": "n", "ք": "p",
        // Cherokee capitals that look like Latin ones
        "ᎪᎯ": "a", "Ᏼ": "b", "ᏟᏣ": "c", "ᎠᏧ": "d", "Ꭼ": "e", "Ꮐ": "g", "Ꮋ": "h", "Ꭻ": "j", "Ꮶ": "k", "Ꮮ": "l", "Ꮇ": "m",
        "Ꮲ": "p", "Ꮪ": "s", "Ꭲ": "t", "Ꮩ": "v", "Ꮃ": "w", "Ꮓ": "z",
        // Small capitals and IPA letters without compatibility decompositions
        "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ɢ": "g", "ʜ": "h", "ɪ": "i", "ᴊ": "j", "ᴋ": "k", "ʟ": "l", "ᴍ": "m",
        "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ʀ": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ʏ": "y", "ᴢ": "z", "ı": "i",
        "ȷ": "j", "ł": "l", "đ": "d", "ħ": "h", "ø": "o", "ƀ": "b", "ƈ": "c", "ɗ": "d", "ƒ": "f", "ɠ": "g", "ɦ": "h", "ɨ": "i",
        "ƙ": "k", "ɱ": "m", "ɲ": "n", "ɵ": "o", "ƥ": "p", "ʠ": "q", "ɽ": "r", "ʂ": "s", "ƭ": "t", "ʋ": "v", "ⱳ": "w", "ƴ": "y",
        "ȥ": "z", "ß": "s", "æ": "a", "œ": "o", "þ": "p",
    ]).merging(ScalarTable(enclosedCapitals))

    /// Negative circled and negative squared capitals (🅐, 🅵🆄🅲🅺) have no compatibility decomposition: their letter is
    /// their place in the alphabet. (Squared and parenthesized ones fold through NFKC; regional indicators pair into
    /// flags and are left alone.)
    private static var enclosedCapitals: [(UInt32, UInt32)] {
        [UInt32(0x1F150), 0x1F170].flatMap { start in (0..<UInt32(26)).map { (start + $0, 0x61 + $0) } }
    }

    /// The class a Latin look-alike reads as: a Latin letter, or a digit, which the Latin view then reads as leet like
    /// any other digit inside a word.
    static func latinClass(_ scalar: UInt32) -> ScalarClass? {
        guard let latin = latinLookalikes[scalar] else { return nil }
        return ScalarClass(kind: (0x30...0x39).contains(latin) ? .digit : .latin, value: latin)
    }
}

/// How readers respell Korean words, as tables over the indices of syllable arithmetic (initial 0…18, vowel 0…20,
/// final 0…27, as in ``Hangul``): the generator of term variants (``TermVariants``) reads them when a policy compiles.
enum KoreanSpellings {
    /// Initials readers tense for emphasis (시발 → 씨발, 병신 → 뼝신): ㄱ ㄷ ㅂ ㅅ ㅈ → ㄲ ㄸ ㅃ ㅆ ㅉ. Aspiration (ㅂ → ㅍ) is
    /// not generated: it makes everyday words (병신 → 평신, inside 평신도).
    static let tensed: [Int: Int] = [0: 1, 3: 4, 7: 8, 9: 10, 12: 13]
    /// Vowels readers swap in: ㅣ → ㅢ ㅟ (씌발, 쉬발), ㅏ → ㅑ (씨뱔).
    static let vowels: [Int: [Int]] = [20: [19, 16], 0: [2]]
    /// Finals that move to the next syllable before a vowel, as the initial they become (병신이 → 병시니): the simple
    /// finals but ㅇ, which stays.
    static let finalToInitial: [Int: Int] = [
        1: 0, 2: 1, 4: 2, 7: 3, 8: 5, 16: 6, 17: 7, 19: 9, 20: 10, 22: 12, 23: 14, 24: 15, 25: 16, 26: 17, 27: 18,
    ]
    /// The vowels of the particles a moved final meets: 이, 아, 어, 으.
    static let particleVowels = [20, 0, 4, 18]

    /// Revised Romanization, per initial, vowel and final.
    static let romanInitials = ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"]
    static let romanVowels = [
        "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i",
    ]
    static let romanFinals = [
        "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p",
        "t",
    ]
    /// The spellings readers use beside the official one (byeongsin → byungshin, ssibal → shibal).
    static let popularRomanization: KeyValuePairs<String, String> = ["yeo": "yu", "eo": "u", "eu": "u", "ssi": "shi", "si": "shi"]
}
