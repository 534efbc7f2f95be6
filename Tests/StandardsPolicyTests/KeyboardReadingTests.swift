import Foundation
import Testing

@testable import StandardsPolicy

@Suite
struct KeyboardReadingTests {
    func spells(_ word: String) -> Bool {
        let keys = word.utf8.compactMap { Hangul.dubeolsik($0) }
        return Hangul.spellsSyllables(keys)
    }

    @Test(arguments: ["tlqkf", "qudtls", "dkssudgktpdy", "tkfkdgo", "wlfkf", "rhkswkd", "dlfrdjqhk"])
    func koreanTypedOnALatinKeyboardParses(word: String) { #expect(spells(word), "\(word)") }

    @Test(arguments: ["this", "comment", "article", "policy", "government", "seoul", "prices", "students"])
    func englishWordsDoNot(word: String) { #expect(!spells(word), "\(word)") }

    /// The keyboard map: 두벌식 letters for both cases, and the shifted keys for tense consonants and ㅒ ㅖ.
    @Test func keysMapAsOnTheKeyboard() {
        var expected = [UInt32?](repeating: nil, count: 0x100)
        for (key, letter) in zip("qwertyuiopasdfghjklzxcvbnm".utf8, "ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔㅁㄴㅇㄹㅎㅗㅓㅏㅣㅋㅌㅊㅍㅠㅜㅡ".unicodeScalars) {
            expected[Int(key)] = letter.value
            expected[Int(key) - 0x20] = letter.value
        }
        for (key, letter) in zip("QWERTOP".utf8, "ㅃㅉㄸㄲㅆㅒㅖ".unicodeScalars) { expected[Int(key)] = letter.value }
        for key in 0..<0x100 { #expect(Hangul.dubeolsik(UInt8(key)) == expected[key], "\(key)") }
        #expect(TextNormalizer.atHash == TextNormalizer.wordHash("at"))
        #expect(TextNormalizer.dotHash == TextNormalizer.wordHash("dot"))
    }

    /// The two-letter shortcut never turns away a word that reads as Korean.
    /// The opening check's vowel-key mask says what the keyboard map says, for every pair of bytes.
    @Test func theOpeningCheckReadsTheKeyboardMap() {
        for first in UInt8.min...UInt8.max {
            for second in UInt8.min...UInt8.max {
                let expected: Bool
                if let initial = Hangul.dubeolsik(first), let vowel = Hangul.dubeolsik(second) {
                    expected = !Hangul.isVowel(initial) && Hangul.isVowel(vowel)
                } else {
                    expected = false
                }
                #expect(Hangul.opensSyllable(first, second) == expected, "\(first) \(second)")
            }
        }
    }

    @Test func theOpeningCheckKeepsEveryReading() {
        var generator = SeededGenerator(state: 11)
        let letters = Array("qwertyuiopasdfghjklzxcvbnmQWERTYUIOPASDFGHJKLZXCVBNM".utf8)
        var readings = 0
        for _ in 0..<20_000 {
            let word = (0..<Int.random(in: 4...8, using: &generator)).map { _ in letters.randomElement(using: &generator)! }
            let reads = spells(String(decoding: word, as: UTF8.self))
            if reads { readings += 1 }
            #expect(!reads || Hangul.opensSyllable(word[0], word[1]), "\(String(decoding: word, as: UTF8.self))")
        }
        #expect(readings > 100)
    }
}
