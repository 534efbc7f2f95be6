/// One normalized view of a comment: a sequence of symbols, each with its repeat count and the range of the
/// original text it came from (offsets in Unicode scalars of the text as given to the engine).
///
/// Symbol `0x20` is a word boundary. Runs of one repeated symbol are collapsed into one unit whose run counts them,
/// so `fuuuuck` reads `fuck`, while a term such as `ass` still needs two `s` in the input.
public struct TextView: Sendable {
    public static let boundary: UInt32 = 0x20

    /// Where a jamo stood: as the initial, vowel or final of a precomposed syllable, or typed alone (a compatibility
    /// jamo, a look-alike, a keyboard letter, a digit). A term's jamo must keep their roles, so 좆 (final ㅈ) never
    /// matches across 조종 (initial ㅈ), and a term written in bare jamo (ㅅㅂ) matches only jamo typed alone.
    enum Role: UInt8 {
        case alone = 0
        case initial, vowel, final
    }

    /// Everything about a unit but its symbol (kept apart so the matcher scans a dense array). Run, role and the
    /// keyboard mark share one word, so a unit is written with three stores.
    struct Unit: Sendable {
        var start: Int32
        var end: Int32
        /// The run in the low 16 bits, the role (``Role``) in the next 8, the keyboard mark in the top 8.
        private var packed: UInt32

        @inline(__always)
        init(start: Int32, end: Int32, run: UInt16 = 1, role: UInt8, qwerty: Bool) {
            self.start = start
            self.end = end
            packed = UInt32(run) | UInt32(role) << 16 | (qwerty ? 1 << 24 : 0)
        }

        var run: UInt16 {
            @inline(__always) get { UInt16(truncatingIfNeeded: packed) }
            @inline(__always) set { packed = packed & 0xFFFF_0000 | UInt32(newValue) }
        }
        var role: UInt8 {
            @inline(__always) get { UInt8(truncatingIfNeeded: packed >> 16) }
            @inline(__always) set { packed = packed & 0xFF00_FFFF | UInt32(newValue) << 16 }
        }
        /// Typed as a Latin letter on a Korean keyboard (`tlqkf`): matches there must be long enough.
        var qwerty: Bool { packed >> 24 != 0 }
    }

    /// The symbols and units are the first `count` entries of these; the room beyond is kept for the next text.
    private(set) var symbolStorage: [UInt32] = []
    private(set) var unitStorage: [Unit] = []
    public private(set) var count = 0

    init() {}

    /// The symbols, as an array (for tests and policy compilation; the matcher reads the storage).
    public var symbols: [UInt32] { Array(symbolStorage[0..<count]) }
    var units: [Unit] { Array(unitStorage[0..<count]) }

    /// The symbols as text, for tests and debugging.
    public var text: String {
        String(String.UnicodeScalarView(symbols.compactMap(Unicode.Scalar.init)))
    }

    @inline(__always)
    func symbol(_ index: Int) -> UInt32 { symbolStorage[index] }
    @inline(__always)
    func unit(_ index: Int) -> Unit { unitStorage[index] }

    /// The original-text range covered by units `range`.
    public func originalRange(_ range: Range<Int>) -> Range<Int> {
        Int(unitStorage[range.lowerBound].start)..<Int(unitStorage[range.upperBound - 1].end)
    }

    /// Calls `body` with the symbols, as the matcher scans them.
    @inline(__always)
    func withSymbols<R>(_ body: (Span<UInt32>) -> R) -> R { body(symbolStorage.span.extracting(0..<count)) }

    /// Replaces the view with what `body` writes: at most `capacity` units, which the caller must bound (every
    /// append past it traps). A trailing boundary is dropped.
    mutating func write(capacity: Int, _ body: (inout Writer) -> Void) {
        var written = 0
        _ = symbolStorage.write(capacity: capacity, filler: 0) { symbols in
            written = unitStorage.write(capacity: capacity, filler: Unit(start: 0, end: 0, run: 0, role: 0, qwerty: false)) { units in
                var writer = Writer(symbols: symbols, units: units)
                body(&writer)
                if writer.count > 0, writer.symbols[writer.count - 1] == Self.boundary { writer.dropLast() }
                (symbols, units) = (writer.symbols, writer.units)
            }
        }
        count = written
    }

    /// Appends units to a view's storage (see ``write(capacity:_:)``).
    struct Writer {
        fileprivate(set) var symbols: CheckedWriter<UInt32>
        fileprivate(set) var units: CheckedWriter<Unit>
        var count: Int { symbols.count }

        fileprivate mutating func dropLast() {
            symbols.removeLast()
            units.removeLast()
        }

        @inline(__always)
        mutating func append(_ symbol: UInt32, start: Int32, end: Int32, qwerty: Bool = false, role: Role = .alone) {
            append(symbol, start: start, end: end, qwerty: qwerty, rawRole: role.rawValue)
        }

        @inline(__always)
        private mutating func append(_ symbol: UInt32, start: Int32, end: Int32, qwerty: Bool, rawRole role: UInt8) {
            if count > 0 {
                let last = symbols[count - 1]
                if symbol == TextView.boundary {
                    if last == TextView.boundary { return }
                } else if last == symbol {
                    let previous = units[count - 1]
                    // A repeat typed alone merges into a syllable's jamo (시1발: the 1 repeats 시's ㅣ); the syllable's role stays.
                    let alone = Role.alone.rawValue
                    if previous.qwerty == qwerty, previous.role == role || previous.role == alone || role == alone {
                        if previous.run < UInt16.max { units[count - 1].run += 1 }
                        units[count - 1].end = end
                        if previous.role == alone { units[count - 1].role = role }
                        return
                    }
                }
            } else if symbol == TextView.boundary {
                return  // never a leading boundary
            }
            push(symbol, Unit(start: start, end: end, role: role, qwerty: qwerty))
        }

        /// Appends a letter of a plain word in the Latin view, where every unit is typed alone and none on a keyboard:
        /// the repeat check of ``append(_:start:end:qwerty:role:)`` comes down to comparing symbols.
        @inline(__always)
        mutating func appendLatinLetter(_ symbol: UInt32, start: Int32, end: Int32) {
            if count > 0, symbols[count - 1] == symbol {
                if units[count - 1].run < UInt16.max { units[count - 1].run += 1 }
                units[count - 1].end = end
                return
            }
            push(symbol, Unit(start: start, end: end, role: Role.alone.rawValue, qwerty: false))
        }

        /// Appends a word boundary, unless the view is empty or already ends with one.
        @inline(__always)
        mutating func appendBoundary(start: Int32, end: Int32) {
            if count == 0 || symbols[count - 1] == TextView.boundary { return }
            push(TextView.boundary, Unit(start: start, end: end, role: Role.alone.rawValue, qwerty: false))
        }

        @inline(__always)
        private mutating func push(_ symbol: UInt32, _ unit: Unit) {
            symbols.append(symbol)
            units.append(unit)
        }

        /// Appends the keys of a syllable that follows another syllable of the same word: its first key is an
        /// initial consonant and the unit before it a vowel or final key, so it never repeats that unit and every key
        /// is stored as is.
        @inline(__always)
        mutating func appendSyllableAfterSyllable(_ packed: UInt64, start: Int32, end: Int32) {
            var keys = packed >> 3
            for _ in 0..<Int(packed & 7) {
                push(0x3131 + UInt32(keys & 0x3F), Unit(start: start, end: end, role: UInt8(keys >> 6 & 3), qwerty: false))
                keys >>= 8
            }
        }

        /// Counts one more of the last unit, which now ends at `end` (a syllable that only stretches its vowel: 씨이발).
        @inline(__always)
        mutating func stretchLast(end: Int32) {
            guard count > 0 else { return }
            if units[count - 1].run < UInt16.max { units[count - 1].run += 1 }
            units[count - 1].end = end
        }

        /// Appends a syllable's keys packed as in ``Hangul/syllableKeys``. Only the first key can repeat the unit
        /// before it (아아); inside a syllable consonant and vowel keys alternate and compound keys differ, so the
        /// others are stored without the repeat check.
        @inline(__always)
        mutating func appendSyllable(_ packed: UInt64, start: Int32, end: Int32) {
            var keys = packed >> 3
            append(0x3131 + UInt32(keys & 0x3F), start: start, end: end, qwerty: false, rawRole: UInt8(keys >> 6 & 3))
            for _ in 1..<Int(packed & 7) {
                keys >>= 8
                push(0x3131 + UInt32(keys & 0x3F), Unit(start: start, end: end, role: UInt8(keys >> 6 & 3), qwerty: false))
            }
        }
    }
}

/// A run of digits read from the text (ASCII, full-width, circled, or spelled 공일공), split into the groups the
/// writer separated with spaces, hyphens or dots.
struct DigitRun: Sendable {
    var digits: [UInt8] = []
    var starts: [Int32] = []
    var ends: [Int32] = []
    /// Index into `digits` where each group begins.
    var groupStarts: [Int] = []

    var groupCount: Int { groupStarts.count }

    /// Room for `capacity` digits, if the arrays have less.
    mutating func reserve(_ capacity: Int) {
        guard digits.capacity < capacity else { return }
        digits.reserveCapacity(capacity)
        starts.reserveCapacity(capacity)
        ends.reserveCapacity(capacity)
        groupStarts.reserveCapacity(capacity / 2)
    }

    /// Empties the run, keeping its storage.
    mutating func removeAll() {
        digits.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        groupStarts.removeAll(keepingCapacity: true)
    }

    /// A Korean number written with the country code (+82 10-1234-5678) as it is dialled at home (010-1234-5678): the
    /// code's two digits become the trunk 0, which keeps their place in the text, and joins the group after it.
    mutating func dropKoreanCountryCode() {
        guard digits.count > 3, digits[0] == 8, digits[1] == 2 else { return }
        digits.replaceSubrange(0..<2, with: [0])
        starts.replaceSubrange(0..<2, with: [starts[0]])
        ends.replaceSubrange(0..<2, with: [ends[1]])
        groupStarts = groupStarts.map { $0 >= 2 ? $0 - 1 : $0 }
        if groupStarts.count > 1, groupStarts[1] == 1 { groupStarts.remove(at: 1) }
    }

    func groupRange(_ group: Int) -> Range<Int> {
        groupStarts[group]..<(group + 1 < groupStarts.count ? groupStarts[group + 1] : digits.count)
    }
}
