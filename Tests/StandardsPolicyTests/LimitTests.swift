import Foundation
import StandardsPolicy
import Testing

/// The 250-character limit and malformed input.
@Suite
struct LimitTests {
    /// `count` characters cycling through `alphabet`, so no limit test is also a flood.
    static func cycle(_ alphabet: String, _ count: Int) -> String {
        let characters = Array(alphabet)
        return String((0..<count).map { characters[$0 % characters.count] })
    }
    static let hangul = "가나다라마바사아자차카타파하"
    static let sentence = "The quick brown fox jumps over the lazy dog near 42 old barns. "
    /// 10 different lines of 24 syllables joined by CRLF: 249 characters with 9 line breaks.
    static let lines = (0..<10).map { String(cycle(hangul + hangul, 24 + $0).suffix(24)) }.joined(separator: "\r\n")
    static let cases: [PolicyCase] = [
        PolicyCase(cycle(sentence, 250), .approve, [], "250 ASCII"),
        PolicyCase(cycle(sentence, 250) + "k", .reject, ["too_long"], "251 ASCII"),
        PolicyCase(cycle(hangul, 250), .approve, [], "250 Hangul"),
        PolicyCase(cycle(hangul, 251), .reject, ["too_long"], "251 Hangul"),
        PolicyCase(cycle(hangul, 250).decomposedStringWithCanonicalMapping, .approve, [], "250 Hangul as NFD (750 scalars)"),
        PolicyCase(cycle(hangul, 251).decomposedStringWithCanonicalMapping, .reject, ["too_long"], "251 Hangul as NFD"),
        PolicyCase(String(repeating: "👍🏽", count: 250), .approve, [], "250 emoji with skin tones"),
        PolicyCase(String(repeating: "👨‍👩‍👧‍👦", count: 100), .approve, [], "100 family emoji (ZWJ sequences)"),
        PolicyCase(String(repeating: "👨‍👩‍👧‍👦", count: 251), .reject, ["too_long"], "251 family emoji"),
        PolicyCase(lines + "가", .approve, [], "CRLF counts as one character"),
        PolicyCase(lines + "가나", .reject, ["too_long"], "251 with CRLFs"),
        PolicyCase("   " + cycle(sentence, 250) + "  \n ", .approve, [], "leading and trailing whitespace is trimmed"),
        PolicyCase(String(repeating: "e\u{301}o\u{308}", count: 125), .approve, [], "250 accented letters as NFD"),
        PolicyCase("", .reject, ["empty"], "empty"), PolicyCase("   \n\t  ", .reject, ["empty"], "whitespace only"),
        PolicyCase("\u{200B}\u{3164}\u{FEFF}", .reject, ["empty"], "invisible only"),
        PolicyCase("hello\u{0}world", .reject, ["malformed"], "NUL"), PolicyCase("bell\u{7}", .reject, ["malformed"], "BEL"),
        PolicyCase("c1\u{85}control", .reject, ["malformed"], "C1 control"), PolicyCase("tab\tis fine", .approve, [], "tab"),
        PolicyCase("Z" + String(repeating: "\u{0351}\u{034A}\u{0342}", count: 5) + "algo", .reject, ["combining_overload"], "Zalgo"),
        PolicyCase("Vie\u{0323}\u{0302}t Nam", .approve, [], "Vietnamese stacked diacritics are fine"),
        PolicyCase("👩🏻‍❤️‍💋‍👨🏼 kiss", .approve, [], "the longest emoji sequence (10 scalars)"),
        PolicyCase(String(repeating: "😀", count: 1100), .reject, ["too_long"], "over the byte cap"),
    ]

    @Test(arguments: cases)
    func limits(_ policyCase: PolicyCase) { check(policyCase) }

    @Test func countsMatchTheBrowserCounterForOrdinaryText() {
        #expect(TextNormalizer.normalize("안녕하세요 👋 반갑습니다").characterCount == 13)
        #expect(TextNormalizer.normalize("a\r\nb").characterCount == 3)
        #expect(TextNormalizer.normalize("🇰🇷🇯🇵").characterCount == 2)
        #expect(TextNormalizer.normalize("  x  ").characterCount == 1)
    }
}
