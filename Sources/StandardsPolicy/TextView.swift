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
        case alone = 0, initial, vowel, final
    }

    /// Everything about a unit but its symbol (kept apart so the matcher scans a dense array).
    struct Unit: Sendable {
        var start: Int32
        var end: Int32
        var run: UInt16
        var role: UInt8
        /// Typed as a Latin letter on a Korean keyboard (`tlqkf`): matches there must be long enough.
        var qwerty: Bool
    }

    public internal(set) var symbols: [UInt32] = []
    var units: [Unit] = []

    init() {}

    /// Empties the view, keeping its storage, with room for `capacity` units.
    mutating func reset(capacity: Int) {
        symbols.removeAll(keepingCapacity: true)
        units.removeAll(keepingCapacity: true)
        symbols.reserveCapacity(capacity)
        units.reserveCapacity(capacity)
    }

    public var count: Int { symbols.count }

    /// The symbols as text, for tests and debugging.
    public var text: String {
        String(String.UnicodeScalarView(symbols.compactMap(Unicode.Scalar.init)))
    }

    /// The original-text range covered by units `range`.
    public func originalRange(_ range: Range<Int>) -> Range<Int> {
        Int(units[range.lowerBound].start)..<Int(units[range.upperBound - 1].end)
    }

    @inline(__always)
    mutating func append(_ symbol: UInt32, start: Int32, end: Int32, qwerty: Bool = false, role: Role = .alone) {
        if let last = symbols.last {
            if symbol == Self.boundary {
                if last == Self.boundary { return }
            } else if last == symbol {
                let index = units.count - 1
                let previous = units[index]
                // A repeat typed alone merges into a syllable's jamo (시1발: the 1 repeats 시's ㅣ); the syllable's role stays.
                if previous.qwerty == qwerty, previous.role == role.rawValue || previous.role == Role.alone.rawValue || role == .alone {
                    if previous.run < UInt16.max { units[index].run += 1 }
                    units[index].end = end
                    if previous.role == Role.alone.rawValue { units[index].role = role.rawValue }
                    return
                }
            }
        } else if symbol == Self.boundary {
            return  // never a leading boundary
        }
        symbols.append(symbol)
        units.append(Unit(start: start, end: end, run: 1, role: role.rawValue, qwerty: qwerty))
    }

    mutating func trimTrailingBoundary() {
        if symbols.last == Self.boundary {
            symbols.removeLast()
            units.removeLast()
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

    func groupRange(_ group: Int) -> Range<Int> {
        groupStarts[group]..<(group + 1 < groupStarts.count ? groupStarts[group + 1] : digits.count)
    }
}
