// A word of the text, packed small.

extension TextNormalizer {
    /// A word of the text: a maximal run of word characters between separators.
    struct Token {
        // Packed into sixteen bytes, so writing a word and reading it back in each pass is cheap.
        private let bounds: (start: Int32, end: Int32)
        private let visibleCount: Int32
        private var bits: UInt16 = 0

        var start: Int { Int(bounds.start) }
        var end: Int { Int(bounds.end) }
        /// Scalars in the token that are neither invisible nor combining.
        var visible: Int { Int(visibleCount) }

        private static let latinBit = UInt16(WordTraits.latin)
        private static let hangulBit = UInt16(WordTraits.hangul)
        private static let digitBit = UInt16(WordTraits.digit)
        private static let notASCIILetterBit = UInt16(WordTraits.notASCIILetter)
        private static let onlySyllablesBit: UInt16 = 16
        private static let onlyASCIILettersBit: UInt16 = 32
        private static let latinJoinBit: UInt16 = 64
        private static let hangulContextBit: UInt16 = 128
        private static let jamoJoinBit: UInt16 = 256

        var hasLatin: Bool { bits & Self.latinBit != 0 }
        var hasHangul: Bool { bits & Self.hangulBit != 0 }
        var hasDigit: Bool { bits & Self.digitBit != 0 }
        /// Whether every visible scalar is an ASCII letter in the original text (for the keyboard reading).
        var asciiLettersOnly: Bool { bits & Self.notASCIILetterBit == 0 }
        /// Every scalar of the word is a precomposed syllable, or every one an ASCII letter: the views write such
        /// words in a tight loop.
        var onlySyllables: Bool { bits & Self.onlySyllablesBit != 0 }
        var onlyASCIILetters: Bool { bits & Self.onlyASCIILettersBit != 0 }
        /// The Latin view joins this word to the next (spaced-out letters, see ``markJoins(_:)``).
        var latinJoin: Bool {
            get { bits & Self.latinJoinBit != 0 }
            set { set(Self.latinJoinBit, newValue) }
        }
        /// The jamo view reads this word as Korean (a Hangul word, or a short word between Hangul words).
        var hangulContext: Bool {
            get { bits & Self.hangulContextBit != 0 }
            set { set(Self.hangulContextBit, newValue) }
        }
        /// The jamo view joins this word to the next (spaced-out syllables).
        var jamoJoin: Bool {
            get { bits & Self.jamoJoinBit != 0 }
            set { set(Self.jamoJoinBit, newValue) }
        }

        private mutating func set(_ bit: UInt16, _ on: Bool) { bits = on ? bits | bit : bits & ~bit }

        init(start: Int, end: Int) {
            bounds = (Int32(start), Int32(end))
            visibleCount = 0
        }

        /// A word with what its scalars told the tokenizer (``WordTraits``), and the jamo units beyond one per visible
        /// scalar they may give.
        init(start: Int, end: Int, traits: UInt8, visible: Int, extraJamo: Int) {
            bounds = (Int32(truncatingIfNeeded: start), Int32(truncatingIfNeeded: end))
            visibleCount = Int32(truncatingIfNeeded: visible)
            // The first four bits are the word traits themselves.
            bits = UInt16(traits & (WordTraits.latin | WordTraits.hangul | WordTraits.digit | WordTraits.notASCIILetter))
            // Nothing skipped inside and no expansion: one visible scalar per scalar, each giving what a syllable gives.
            let whole = end - start == visible && traits & WordTraits.expansion == 0
            if whole && extraJamo == 4 * visible { bits |= Self.onlySyllablesBit }
            if whole && traits == WordTraits.latin { bits |= Self.onlyASCIILettersBit }
        }

        /// FNV-1a over the word's scalars with ASCII case folded (invisible and combining ones skipped), for
        /// spotting one word repeated over and over; computed when asked, since few texts need it.
        func hash(_ base: BaseText) -> UInt64 {
            var hash = FNV1a.offsetBasis
            for index in start..<end {
                let kind = base.classes[index].kind
                if kind == .invisible || kind == .combining { continue }
                let scalar = base.scalars[index]
                hash = FNV1a.step(hash, UInt64((0x41...0x5A).contains(scalar) ? scalar + 0x20 : scalar))
            }
            return hash
        }
    }
}
