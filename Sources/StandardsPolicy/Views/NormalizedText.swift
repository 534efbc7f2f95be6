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
    var tokens = TokenList()
    /// Whether anything in the text could start a link or an email address (see ``TextNormalizer/SignalsCounter``).
    var mightContainLinks = false
    /// Scalars of the NFC text that repeat the one before them (see ``Flood``).
    var repeats = 0

    /// User-perceived characters of the NFC text after CRLF→LF and trimming: the count shown as "0/250자".
    public internal(set) var characterCount = 0
    /// UTF-8 bytes of the text as given.
    public internal(set) var byteCount = 0
    /// The most Unicode scalars in one user-perceived character (combining-mark stacks, "Zalgo").
    public internal(set) var maxScalarsPerCharacter = 0
    /// Whether the text holds NUL or another control character (tab and line breaks are allowed).
    public internal(set) var hasControlCharacters = false
    /// A bidirectional embedding, override or isolate (U+202A–202E, U+2066–2069) in the original text.
    public internal(set) var hasBidiControls = false
    /// Whether nothing is left after removing whitespace and invisible characters.
    public internal(set) var isBlank = true
    /// Line breaks in the text.
    public internal(set) var lineCount = 0

    /// An empty text, to be filled by ``TextNormalizer/normalize(_:into:)``.
    init() {}
}

/// The NFC text as scalars, with each one's class and its range in the original text.
///
/// The arrays are storage: the text is their first `count` entries, and the room beyond is kept for the next text.
struct BaseText: Sendable {
    private(set) var scalars: [UInt32] = []
    private(set) var classes: [ScalarClass] = []
    /// Each scalar's range in the original text, kept only when the text was composed: otherwise scalar `i` is
    /// scalar `i` of the original (``identity``) and nothing is stored.
    private var starts: [Int32] = []
    private var ends: [Int32] = []
    private(set) var identity = true
    private(set) var count = 0

    /// Where scalar `index` begins in the original text.
    @inline(__always)
    func start(_ index: Int) -> Int32 { identity ? Int32(truncatingIfNeeded: index) : starts[index] }
    /// Where scalar `index` ends in the original text.
    @inline(__always)
    func end(_ index: Int) -> Int32 { identity ? Int32(truncatingIfNeeded: index &+ 1) : ends[index] }

    func originalRange(_ range: Range<Int>) -> Range<Int> {
        Int(start(range.lowerBound))..<Int(end(range.upperBound - 1))
    }

    /// The stored offsets of composed text (see ``identity``).
    var storedOffsets: StoredOffsets { StoredOffsets(starts: starts, ends: ends) }

    /// Empties the text, keeping its storage; what is appended next carries its own offsets.
    mutating func removeAll() {
        count = 0
        identity = false
    }

    /// Appends one scalar (the composing path; the common path writes through ``write(capacity:_:)``).
    mutating func append(_ scalar: UInt32, _ scalarClass: ScalarClass, start: Int32, end: Int32) {
        precondition(!identity, "append after removeAll")
        if count == scalars.count {
            scalars.append(scalar)
            classes.append(scalarClass)
        } else {
            scalars[count] = scalar
            classes[count] = scalarClass
        }
        if count == starts.count {
            starts.append(start)
            ends.append(end)
        } else {
            starts[count] = start
            ends[count] = end
        }
        count += 1
    }

    /// Replaces the text with what `body` writes (room for `capacity` scalars), each scalar standing for the scalar of
    /// the original text at its index; `body` returns false to give up (the text is then empty).
    mutating func write(
        capacity: Int,
        _ body: (inout CheckedWriter<UInt32>, inout CheckedWriter<ScalarClass>) -> Bool
    ) -> Bool {
        var kept = true
        let written = scalars.write(capacity: capacity, filler: 0) { scalars in
            let classCount = classes.write(capacity: capacity, filler: ScalarClass(kind: .separator, value: 0x20)) { classes in
                kept = body(&scalars, &classes)
            }
            precondition(classCount == scalars.count, "a scalar without its class")
        }
        count = kept ? written : 0
        identity = true
        return kept
    }
}

/// Where each scalar of a ``BaseText`` stands in the original text. The views' word loops are generic over it, so
/// text read as is and composed text each get their own copy of those loops, with no test per scalar.
protocol OriginalOffsets {
    func start(_ index: Int) -> Int32
    func end(_ index: Int) -> Int32
}

/// Text read as is: scalar `i` is scalar `i` of the original.
struct SameOffsets: OriginalOffsets {
    @inline(__always) func start(_ index: Int) -> Int32 { Int32(truncatingIfNeeded: index) }
    @inline(__always) func end(_ index: Int) -> Int32 { Int32(truncatingIfNeeded: index &+ 1) }
}

/// Composed text: the offsets stored beside each scalar.
struct StoredOffsets: OriginalOffsets {
    let starts: [Int32]
    let ends: [Int32]
    @inline(__always) func start(_ index: Int) -> Int32 { starts[index] }
    @inline(__always) func end(_ index: Int) -> Int32 { ends[index] }
}

/// The words of a text: the first `count` entries of storage kept for the next text.
struct TokenList: Sendable {
    private var storage: [TextNormalizer.Token] = []
    private(set) var count = 0
    /// How many words have each number of visible scalars: entry `n` counts the words of `n` (the last, those of
    /// ``longWord`` or more). Kept by the word scanner for ``Flood``, which looks for one word making up most of a text.
    private var lengthCounts: [UInt16] = []
    static let longWord = 15

    /// The words with `length` visible scalars (``longWord`` or more, for ``longWord``).
    func words(ofLength length: Int) -> Int { length < lengthCounts.count ? Int(lengthCounts[length]) : 0 }

    /// Replaces the words with those `body` writes, at most `capacity` (the caller must bound it), and the length
    /// counts that it adds up (they start at zero).
    mutating func write(capacity: Int, _ body: (inout CheckedWriter<TextNormalizer.Token>, inout [UInt16]) -> Void) {
        if lengthCounts.isEmpty {
            lengthCounts = [UInt16](repeating: 0, count: Self.longWord + 1)
        } else {
            for length in lengthCounts.indices { lengthCounts[length] = 0 }
        }
        count = storage.write(capacity: capacity, filler: TextNormalizer.Token(start: 0, end: 0)) { tokens in
            body(&tokens, &lengthCounts)
        }
    }

    /// The words.
    var words: ArraySlice<TextNormalizer.Token> { storage[0..<count] }

    /// Marks how the views join the words (``TextNormalizer/markJoins(_:count:)``).
    mutating func markJoins() {
        let count = count
        var words = storage.mutableSpan
        TextNormalizer.markJoins(&words, count: count)
    }
}
