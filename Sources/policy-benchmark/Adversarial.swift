/// Texts made to break the engine rather than to resemble readers: scalars from every plane and category, long runs
/// of joiners, marks and variation selectors, flags and skin tones, decomposed Hangul, look-alikes, spoken links,
/// digit runs, words longer than any limit and more words than a bit mask holds, controls and NUL. Used by
/// `policy-benchmark --fuzz N` on the release build (where unchecked buffer accesses would not trap but corrupt).
enum Adversarial {
    static let pieces: [String] = [
        "\u{200D}", "\u{200B}", "\u{FE0F}", "\u{E0067}", "\u{301}", "\u{1160}", "\u{11A8}", "\u{1100}", "\u{3164}", "\r\n", "\r", "\n", "\t",
        "\u{0}", "\u{7F}", "\u{85}", "\u{202E}", "\u{2066}", "👨‍👩‍👧‍👦", "🇰🇷", "🇦", "🏽", "👍🏽", "🅵", "🄰", "Ⓐ", "①", "⑩", "㈀", "㉠", "ﬁ", "ｆｕｃｋ",
        "зб", "Ꭺ", "ı", "닷컴", "골뱅이", "점컴", "쩜", "@", ".", "[.]", "。", "at", "dot", "010", "공일공", "1234-5678-9012-3456", "900101-1234567",
        "ㅅㅂ", "시발", "씨이이발", "tlqkf", "f*ck", "ㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋ", "!!!!!!!!!!!!!!!!!!", "丙申年", "a", "가", " ", "\u{3000}",
    ]

    static func text(_ generator: inout Corpus.Generator) -> String {
        var text = String.UnicodeScalarView()
        switch Int.random(in: 0..<6, using: &generator) {
        case 0:
            // Any scalar at all.
            for _ in 0..<Int.random(in: 0...400, using: &generator) {
                if let scalar = Unicode.Scalar(UInt32.random(in: 0...0x10FFFF, using: &generator)) { text.append(scalar) }
            }
        case 1:
            // One piece repeated far past any run or cluster limit.
            let piece = pieces.randomElement(using: &generator)!
            for _ in 0..<Int.random(in: 1...2_000, using: &generator) { text.append(contentsOf: piece.unicodeScalars) }
        case 2:
            // A word longer than any term, any run and any limit.
            for _ in 0..<Int.random(in: 200...5_000, using: &generator) {
                text.append(Unicode.Scalar(UInt32.random(in: 0x61...0x7A, using: &generator))!)
            }
        case 3:
            // More words than a 64-bit mask holds, each one or two characters.
            for _ in 0..<Int.random(in: 60...400, using: &generator) {
                text.append(contentsOf: pieces.randomElement(using: &generator)!.unicodeScalars)
                text.append(" ")
            }
        default:
            // Pieces glued together, with stretches of random scalars.
            for _ in 0..<Int.random(in: 0...200, using: &generator) {
                if Int.random(in: 0..<4, using: &generator) == 0, let scalar = Unicode.Scalar(UInt32.random(in: 0...0x2FFFF, using: &generator)) {
                    text.append(scalar)
                } else {
                    text.append(contentsOf: pieces.randomElement(using: &generator)!.unicodeScalars)
                }
            }
        }
        return String(text)
    }
}
