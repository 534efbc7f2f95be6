import Foundation

/// A comment read the ways the Standards Board rules need: limits, and the views that term lists match.
///
/// Built by ``TextNormalizer/normalize(_:)``. Every view keeps offsets into the original text (in Unicode
/// scalars), so a hit can be highlighted or redacted exactly.
public struct NormalizedText: Sendable {
    /// The text as given.
    public let original: String
    /// The Latin view: NFC, invisibles dropped, compatibility, case, diacritic, homoglyph and leet folding,
    /// words separated by one boundary, spaced-out letters joined, repeats collapsed.
    public let latin: TextView
    /// The jamo view: Hangul words as typed jamo with look-alikes read in Hangul context, Latin-only words as
    /// typed on a 두벌식 keyboard, spaced-out syllables joined, repeats collapsed.
    public let jamo: TextView
    /// Digit runs for the personal-information detectors.
    let digitRuns: [DigitRun]
    /// The NFC scalars with their original offsets and classes, for detectors that read the text itself.
    let base: BaseText
    /// The words of the text, as the views read them.
    let tokens: [TextNormalizer.Token]
    /// Whether anything in the text could start a link or an email address (see ``TextNormalizer/scanSignals``).
    let mightContainLinks: Bool

    /// User-perceived characters of the NFC text after CRLF→LF and trimming: the count shown as "0/250자".
    public let characterCount: Int
    /// UTF-8 bytes of the text as given.
    public let byteCount: Int
    /// The most Unicode scalars in one user-perceived character (combining-mark stacks, "Zalgo").
    public let maxScalarsPerCharacter: Int
    /// Whether the text holds NUL or another control character (tab and line breaks are allowed).
    public let hasControlCharacters: Bool
    /// Whether nothing is left after removing whitespace and invisible characters.
    public let isBlank: Bool
    /// Line breaks in the text.
    public let lineCount: Int
}

/// The NFC text as scalars, with each one's class and its range in the original text.
struct BaseText: Sendable {
    var scalars: [UInt32] = []
    var classes: [ScalarClass] = []
    var starts: [Int32] = []
    var ends: [Int32] = []

    var count: Int { scalars.count }

    func originalRange(_ range: Range<Int>) -> Range<Int> {
        Int(starts[range.lowerBound])..<Int(ends[range.upperBound - 1])
    }
}
