/// An Aho–Corasick automaton over view symbols, compiled to a dense transition table.
///
/// Built once per policy load from every term of every rule; a comment is scanned once per view, each symbol
/// costing one table lookup whatever the number of terms. Patterns carry an opaque `payload` (which term of
/// which rule) that the caller interprets.
struct MultiPatternMatcher: Sendable {
    /// A match: the pattern's payload and the range of view units it covers.
    struct Match: Sendable {
        var payload: Int32
        var range: Range<Int>
    }

    /// Symbol → column; symbols below `directLimit` use `directColumns`, others (Hanja) the dictionary.
    private static let directLimit: UInt32 = 0x3200
    private var directColumns: [UInt16]
    private var otherColumns: [UInt32: UInt16]
    private let columns: Int
    /// A state is named by its row, `state * columns`: `transitions[row + column] >> 1` is the next state's row
    /// (failure links already folded in), and the low bit says whether that state has outputs.
    private var transitions: [Int32]
    /// Each state's outputs are `outputPayloads[outputStarts[state]..<outputStarts[state + 1]]`, with lengths.
    private var outputStarts: [Int32]
    private var outputPayloads: [Int32]
    private var outputLengths: [Int32]

    var stateCount: Int { outputStarts.count - 1 }
    var memoryBytes: Int { transitions.count * 4 + directColumns.count * 2 + outputPayloads.count * 8 + outputStarts.count * 4 }

    init(patterns: [(symbols: [UInt32], payload: Int32)]) {
        // The alphabet: every symbol any pattern uses gets a column; column 0 is "any other symbol".
        var directColumns = [UInt16](repeating: 0, count: Int(Self.directLimit))
        var otherColumns: [UInt32: UInt16] = [:]
        var columns = 1
        for pattern in patterns {
            for symbol in pattern.symbols {
                if symbol < Self.directLimit {
                    if directColumns[Int(symbol)] == 0 {
                        directColumns[Int(symbol)] = UInt16(columns)
                        columns += 1
                    }
                } else if otherColumns[symbol] == nil {
                    otherColumns[symbol] = UInt16(columns)
                    columns += 1
                }
            }
        }
        func column(_ symbol: UInt32) -> Int {
            symbol < Self.directLimit ? Int(directColumns[Int(symbol)]) : Int(otherColumns[symbol] ?? 0)
        }

        // The trie.
        var children: [[Int: Int32]] = [[:]]
        var outputs: [[(payload: Int32, length: Int32)]] = [[]]
        for pattern in patterns where !pattern.symbols.isEmpty {
            var state = 0
            for symbol in pattern.symbols {
                let key = column(symbol)
                if let next = children[state][key] {
                    state = Int(next)
                } else {
                    children.append([:])
                    outputs.append([])
                    children[state][key] = Int32(children.count - 1)
                    state = children.count - 1
                }
            }
            outputs[state].append((pattern.payload, Int32(pattern.symbols.count)))
        }

        // Number the states breadth-first, so the shallow states that most symbols of a text visit share a few cache
        // lines of the table.
        let stateCount = children.count
        var order: [Int] = [0]
        order.reserveCapacity(stateCount)
        var head = 0
        while head < order.count {
            let state = order[head]
            head += 1
            for key in 0..<columns { if let child = children[state][key] { order.append(Int(child)) } }
        }
        var renumbered = [Int](repeating: 0, count: stateCount)
        for (index, state) in order.enumerated() { renumbered[state] = index }

        // Breadth-first again, in the new numbering: failure links, folded outputs, and the dense table.
        var next = [Int32](repeating: 0, count: stateCount * columns)
        var failure = [Int](repeating: 0, count: stateCount)
        var folded = [[(payload: Int32, length: Int32)]](repeating: [], count: stateCount)
        for old in 0..<stateCount { folded[renumbered[old]] = outputs[old] }
        for state in 0..<stateCount {  // `order` is breadth-first, so a state's failure is final before it is read
            let old = order[state]
            let fail = failure[state]
            if state != 0 { folded[state].append(contentsOf: folded[fail]) }
            for key in 0..<columns {
                if let child = children[old][key] {
                    let target = renumbered[Int(child)]
                    failure[target] = state == 0 ? 0 : Int(next[fail * columns + key])
                    next[state * columns + key] = Int32(target)
                } else {
                    next[state * columns + key] = state == 0 ? 0 : next[fail * columns + key]
                }
            }
        }
        // Column 0 (symbols no pattern uses) always returns to the root.
        for state in 0..<stateCount { next[state * columns] = 0 }

        var outputStarts: [Int32] = [0]
        var outputPayloads: [Int32] = []
        var outputLengths: [Int32] = []
        for state in 0..<stateCount {
            for output in folded[state] {
                outputPayloads.append(output.payload)
                outputLengths.append(output.length)
            }
            outputStarts.append(Int32(outputPayloads.count))
        }
        // Each entry is the next state shifted left once, with the low bit set when that state has outputs: the scan
        // reads one array per symbol.
        self.transitions = next.map { ($0 * Int32(columns)) << 1 | (outputStarts[Int($0)] < outputStarts[Int($0) + 1] ? 1 : 0) }
        self.directColumns = directColumns
        self.otherColumns = otherColumns
        self.columns = columns
        self.outputStarts = outputStarts
        self.outputPayloads = outputPayloads
        self.outputLengths = outputLengths
    }

    /// A position where the automaton reached a state with outputs, and that state's row (see ``run(_:into:)``).
    typealias Found = (position: Int32, row: Int32)

    /// Calls `body` for each pattern that ends at `found`.
    @inline(__always)
    func report(_ found: Found, _ body: (Match) -> Void) {
        let state = Int(found.row) / columns
        for output in Int(outputStarts[state])..<Int(outputStarts[state + 1]) {
            let length = Int(outputLengths[output])
            let end = Int(found.position) + 1
            body(Match(payload: outputPayloads[output], range: (end - length)..<end))
        }
    }

    /// The automaton over `symbols`: appends each position whose state has outputs, with that state's row, to
    /// `found` (room for one per symbol). ``report(_:_:)`` then gives the matches at each, in order of where they end:
    /// the loop that every symbol goes through holds nothing else.
    @inline(__always)
    func run(_ symbols: Span<UInt32>, into found: inout CheckedWriter<Found>) {
        run(symbols, transitions: transitions.span, direct: directColumns.span, into: &found)
    }

    @inline(never)
    private func run(_ symbols: Span<UInt32>, transitions: Span<Int32>, direct: Span<UInt16>, into found: inout CheckedWriter<Found>) {
        var row = 0
        for position in symbols.indices {
            let symbol = symbols[position]
            let column = symbol < Self.directLimit ? Int(direct[Int(symbol)]) : otherColumn(symbol)
            let entry = Int(transitions[row &+ column])
            row = entry >> 1
            if entry & 1 != 0 { found.append((Int32(truncatingIfNeeded: position), Int32(truncatingIfNeeded: row))) }
        }
    }

    /// The column of a symbol beyond ``directLimit`` (Hanja).
    @inline(never)
    private func otherColumn(_ symbol: UInt32) -> Int { Int(otherColumns[symbol] ?? 0) }
}
