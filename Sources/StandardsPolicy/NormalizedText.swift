import Foundation

/// A comment read the ways the Standards Board rules need: limits, and the views that term lists match.
///
/// Built by ``TextNormalizer/normalize(_:)``, or refilled in place by ``TextNormalizer/normalize(_:into:)`` so a
/// long-running evaluator reuses its storage. Every view keeps offsets into the original text (in Unicode
/// scalars), so a hit can be highlighted or redacted exactly.
public struct NormalizedText: Sendable {
    /// The text as given.
    public internal(set) var original: String = ""
    /// The Latin view: NFC, invisibles dropped, compatibility, case, diacritic, homoglyph and leet folding,
    /// words separated by one boundary, spaced-out letters joined, repeats collapsed.
    public internal(set) var latin = TextView()
    /// The jamo view: Hangul words as typed jamo with look-alikes read in Hangul context, Latin-only words as
    /// typed on a 두벌식 keyboard, spaced-out syllables joined, repeats collapsed.
    public internal(set) var jamo = TextView()
    /// Digit runs for the personal-information detectors.
    var digitRuns: [DigitRun] = []
    /// The NFC scalars with their original offsets and classes, for detectors that read the text itself.
    var base = BaseText()
    /// The words of the text, as the views read them.
    var tokens: [TextNormalizer.Token] = []
    /// Whether anything in the text could start a link or an email address (see ``TextNormalizer/scanSignals``).
    var mightContainLinks = false

    /// User-perceived characters of the NFC text after CRLF→LF and trimming: the count shown as "0/250자".
    public internal(set) var characterCount = 0
    /// UTF-8 bytes of the text as given.
    public internal(set) var byteCount = 0
    /// The most Unicode scalars in one user-perceived character (combining-mark stacks, "Zalgo").
    public internal(set) var maxScalarsPerCharacter = 0
    /// Whether the text holds NUL or another control character (tab and line breaks are allowed).
    public internal(set) var hasControlCharacters = false
    /// Whether nothing is left after removing whitespace and invisible characters.
    public internal(set) var isBlank = true
    /// Line breaks in the text.
    public internal(set) var lineCount = 0
    /// The scalars of the text as given (before NFC).
    var originalScalars: [UInt32] = []

    /// An empty text, to be filled by ``TextNormalizer/normalize(_:into:)``.
    init() {}
}

/// The NFC text as scalars, with each one's class and its range in the original text.
struct BaseText: Sendable {
    var scalars: [UInt32] = []
    var classes: [ScalarClass] = []
    var starts: [Int32] = []
    var ends: [Int32] = []

    var count: Int { scalars.count }

    /// Empties the text, keeping its storage for the next one.
    mutating func removeAll() {
        scalars.removeAll(keepingCapacity: true)
        classes.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }

    func originalRange(_ range: Range<Int>) -> Range<Int> {
        Int(starts[range.lowerBound])..<Int(ends[range.upperBound - 1])
    }
}
