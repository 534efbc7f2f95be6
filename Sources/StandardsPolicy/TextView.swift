/// One normalized view of a comment: a sequence of symbols, each with its repeat count and the range of the
/// original text it came from (offsets in Unicode scalars of the text as given to the engine).
///
/// Symbol `0x20` is a word boundary. Runs of one repeated symbol are collapsed into one unit whose `runs` entry
/// counts them, so `fuuuuck` reads `fuck`, while a term such as `ass` still needs two `s` in the input.
public struct TextView: Sendable {
    public static let boundary: UInt32 = 0x20

    public internal(set) var symbols: [UInt32] = []
    var runs: [UInt16] = []
    var starts: [Int32] = []
    var ends: [Int32] = []
    /// Units typed as Latin letters on a Korean keyboard (`tlqkf`): matches there must be long enough.
    var qwerty: [Bool] = []
    /// In the jamo view, each unit's place in its syllable: ``Role``. Always `.alone` in the Latin view.
    var roles: [UInt8] = []

    /// Where a jamo stood: as the initial, vowel or final of a precomposed syllable, or typed alone (a compatibility
    /// jamo, a look-alike, a keyboard letter, a digit). A term's jamo must keep their roles, so 좆 (final ㅈ) never
    /// matches across 조종 (initial ㅈ), and a term written in bare jamo (ㅅㅂ) matches only jamo typed alone.
    enum Role: UInt8 {
        case alone = 0, initial, vowel, final
    }

    init(capacity: Int) {
        symbols.reserveCapacity(capacity)
        runs.reserveCapacity(capacity)
        starts.reserveCapacity(capacity)
        ends.reserveCapacity(capacity)
        qwerty.reserveCapacity(capacity)
        roles.reserveCapacity(capacity)
    }

    public var count: Int { symbols.count }

    /// The symbols as text, for tests and debugging.
    public var text: String {
        String(String.UnicodeScalarView(symbols.compactMap(Unicode.Scalar.init)))
    }

    /// The original-text range covered by units `range`.
    public func originalRange(_ range: Range<Int>) -> Range<Int> {
        Int(starts[range.lowerBound])..<Int(ends[range.upperBound - 1])
    }

    @inline(__always)
    mutating func append(_ symbol: UInt32, start: Int32, end: Int32, qwerty isQwerty: Bool = false, role: Role = .alone) {
        if symbol == Self.boundary {
            guard let last = symbols.last, last != Self.boundary else { return }
        } else if let last = symbols.last, last == symbol, qwerty.last == isQwerty,
            let lastRole = roles.last, lastRole == role.rawValue || lastRole == Role.alone.rawValue || role == .alone
        {
            // A repeat typed alone merges into a syllable's jamo (시1발: the 1 repeats 시's ㅣ); the syllable's role stays.
            let index = symbols.count - 1
            if lastRole == Role.alone.rawValue { roles[index] = role.rawValue }
            if runs[index] < UInt16.max { runs[index] += 1 }
            ends[index] = end
            return
        }
        symbols.append(symbol)
        runs.append(1)
        starts.append(start)
        ends.append(end)
        qwerty.append(isQwerty)
        roles.append(role.rawValue)
    }

    mutating func trimTrailingBoundary() {
        if symbols.last == Self.boundary {
            symbols.removeLast()
            runs.removeLast()
            starts.removeLast()
            ends.removeLast()
            qwerty.removeLast()
            roles.removeLast()
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
    /// The separator character before each group after the first (`-`, ` `, `.`, …).
    var separators: [UInt32] = []

    var groupCount: Int { groupStarts.count }

    func groupRange(_ group: Int) -> Range<Int> {
        groupStarts[group]..<(group + 1 < groupStarts.count ? groupStarts[group + 1] : digits.count)
    }
}
