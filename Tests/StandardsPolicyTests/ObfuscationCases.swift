import Foundation
import StandardsPolicy
import Testing

/// Every obfuscation class applied to terms of every category: each must still be caught.
enum Obfuscation: String, CaseIterable, Sendable {
    case plain, upper, spaced, dotted, zeroWidth, softHyphen, fullWidth, circled, mathBold, cyrillic, repeated, leet, bidi, diacritics

    func apply(_ word: String) -> String {
        let letters = Array(word)
        switch self {
        case .plain: return word
        case .upper: return word.uppercased()
        case .spaced: return letters.map(String.init).joined(separator: " ")
        case .dotted: return letters.map(String.init).joined(separator: ".")
        case .zeroWidth: return letters.map(String.init).joined(separator: "\u{200B}")
        case .softHyphen: return letters.map(String.init).joined(separator: "\u{00AD}")
        case .fullWidth:
            return String(
                String.UnicodeScalarView(word.unicodeScalars.map { $0.value < 0x7F && $0.value > 0x20 ? Unicode.Scalar($0.value + 0xFEE0)! : $0 })
            )
        case .circled:
            return String(
                String.UnicodeScalarView(
                    word.unicodeScalars.map { (0x61...0x7A).contains($0.value) ? Unicode.Scalar($0.value - 0x61 + 0x24D0)! : $0 }
                )
            )
        case .mathBold:
            return String(
                String.UnicodeScalarView(
                    word.unicodeScalars.map { (0x61...0x7A).contains($0.value) ? Unicode.Scalar($0.value - 0x61 + 0x1D41A)! : $0 }
                )
            )
        case .cyrillic:
            let map: [Character: Character] = ["a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і"]
            return String(letters.map { map[$0] ?? $0 })
        case .repeated:
            return String(letters.flatMap { "aeiou".contains($0) ? [$0, $0, $0, $0] : [$0] })
        case .leet:
            let map: [Character: Character] = ["i": "1", "o": "0", "e": "3", "a": "4", "s": "$"]
            var changed = false
            return String(
                letters.enumerated().map { index, letter in
                    guard index > 0, index < letters.count - 1 || letter != "s", let replacement = map[letter], !changed else { return letter }
                    changed = true
                    return replacement
                }
            )
        case .bidi: return "\u{202E}" + word + "\u{202C}"
        case .diacritics:
            let map: [Character: Character] = ["a": "á", "e": "é", "i": "í", "o": "ö", "u": "ü"]
            return String(letters.map { map[$0] ?? $0 })
        }
    }
}

/// Korean obfuscations: spacing, punctuation, zero-width, look-alikes, keyboard spelling.
enum KoreanObfuscation: String, CaseIterable, Sendable {
    case plain, spaced, dotted, zeroWidth, hangulFiller, inSentence, nfd

    func apply(_ word: String) -> String {
        switch self {
        case .plain: return word
        case .spaced: return word.map(String.init).joined(separator: " ")
        case .dotted: return word.map(String.init).joined(separator: ".")
        case .zeroWidth: return word.map(String.init).joined(separator: "\u{200B}")
        case .hangulFiller: return word.map(String.init).joined(separator: "\u{3164}")
        case .inSentence: return "진짜 \(word) 같은 기사네"
        case .nfd: return word.decomposedStringWithCanonicalMapping
        }
    }
}

@Suite
struct ObfuscationTests {
    static let english: [(String, String)] = [
        ("fuck", "profanity"), ("shit", "profanity"), ("bitch", "profanity"), ("asshole", "profanity"), ("bastard", "profanity"),
        ("nigger", "hate"), ("faggot", "hate"), ("porn", "sexual"), ("idiot", "insult"), ("moron", "insult"),
    ]
    static let englishCases: [PolicyCase] = english.flatMap { word, reason in
        Obfuscation.allCases.map { obfuscation in
            // Bidirectional overrides are refused for themselves (bidi-controls), and the word is still found.
            if obfuscation == .bidi {
                return PolicyCase("you \(obfuscation.apply(word)) again", .reject, [reason, "malformed"], "\(obfuscation.rawValue) \(word)")
            }
            let outcome: Action = reason == "insult" ? .hold : .reject
            return PolicyCase("you \(obfuscation.apply(word)) again", outcome, [reason], "\(obfuscation.rawValue) \(word)")
        }
    }

    @Test(arguments: englishCases)
    func englishTermsAreCaughtHoweverTheyAreWritten(_ policyCase: PolicyCase) { check(policyCase) }

    static let korean: [(String, String, Action)] = [
        ("시발", "profanity", .reject), ("씨발", "profanity", .reject), ("병신", "profanity", .reject), ("개새끼", "profanity", .reject),
        ("지랄", "profanity", .reject), ("김치녀", "hate", .reject), ("틀딱", "hate", .reject), ("쪽바리", "hate", .reject),
        ("멍청이", "insult", .hold), ("기레기", "insult", .hold), ("토토사이트", "spam", .reject), ("죽여버린다", "threat", .hold),
    ]
    static let koreanCases: [PolicyCase] = korean.flatMap { word, reason, outcome in
        KoreanObfuscation.allCases.map { PolicyCase($0.apply(word), outcome, [reason], "\($0.rawValue) \(word)") }
    }

    @Test(arguments: koreanCases)
    func koreanTermsAreCaughtHoweverTheyAreWritten(_ policyCase: PolicyCase) { check(policyCase) }

    /// Generated spellings may coincide (a disguise that leaves a word as it was), but one text must never be
    /// expected to end two ways: the word lists and the disguises have to agree.
    @Test func noTextIsExpectedToEndTwoWays() {
        for cases in [Self.englishCases, Self.koreanCases] {
            let clashing = Dictionary(grouping: cases, by: \.text).filter { Set($0.value.map(\.outcome)).count > 1 }.keys.sorted()
            #expect(clashing.isEmpty, "one text, two expected outcomes: \(clashing)")
        }
    }
}
