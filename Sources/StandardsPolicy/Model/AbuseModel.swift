import Foundation

/// The Board's learned abuse score (issue 18): a logistic regression over hashed features of the views the engine
/// already builds, so it reads a comment the way the rules do (spacing, look-alikes and keyboard spellings undone).
///
/// Features, each hashed into one of `buckets` weights: the jamo view's n-grams of 2 to 4 jamo inside a word
/// (spelling-level patterns of Korean) and its whole words, the folded characters' n-grams of 1 to 3 inside words
/// (syllables and their neighbours), and the Latin view's words and n-grams of 3 and 4 letters. The score is the probability that the comment is abusive; ``explain(_:top:)`` names the
/// features that raised it most, for a moderator.
public struct AbuseModel: Sendable, Equatable {
    public static let formatName = "commentdesk-abuse-model"
    public static let formatVersion = 1

    /// A power of two: a feature's bucket is its hash's low bits.
    public let buckets: Int
    public internal(set) var weights: [Float] {
        didSet { (compact, scale) = Self.quantize(weights) }
    }
    /// The weights as scoring reads them: one signed byte each (`weight ≈ byte × scale`), as the model file stores
    /// them, so a model scores the same before and after it is saved, and its table is a quarter the size.
    private(set) var compact: [Int8] = []
    private(set) var scale: Float = 1
    public internal(set) var bias: Float
    /// The score from which the model suggests holding, chosen when it was trained (see ``ModelFile/threshold``).
    public var threshold: Double
    /// Where the model came from: the data, its license, when and how it was trained.
    public var provenance: [String: String]

    public init(buckets: Int, weights: [Float]? = nil, bias: Float = 0, threshold: Double = 0.5, provenance: [String: String] = [:]) {
        precondition(buckets > 0 && buckets & (buckets - 1) == 0, "buckets must be a power of two")
        self.buckets = buckets
        self.weights = weights ?? [Float](repeating: 0, count: buckets)
        (compact, scale) = Self.quantize(self.weights)
        self.bias = bias
        self.threshold = threshold
        self.provenance = provenance
    }

    /// One signed byte per weight, and the scale that reads them back.
    static func quantize(_ weights: [Float]) -> ([Int8], Float) {
        let largest = weights.map(abs).max() ?? 0
        let scale = largest > 0 ? largest / 127 : 1
        return (weights.map { Int8(max(-127, min(127, ($0 / scale).rounded()))) }, scale)
    }

    // MARK: Features

    /// A hashed feature and, when asked for, what it is (for explanations).
    public struct Feature: Sendable {
        public var bucket: Int
        public var name: String?

        public init(bucket: Int, name: String? = nil) {
            self.bucket = bucket
            self.name = name
        }
    }

    /// The distinct features of a normalized text (a word said twice counts once), as the score reads them.
    public static func features(of text: NormalizedText, buckets: Int, named: Bool = false, into out: inout [Feature]) {
        var collector = Collector(named: named, buckets: buckets)
        visit(text, buckets: buckets, into: &collector)
        out.append(contentsOf: collector.features)
    }

    /// What receives the features of a text: their buckets, and the spelling of those it asks for.
    protocol Visitor {
        func wantsName(_ bucket: Int) -> Bool
        mutating func visit(_ bucket: Int, name: String)
    }

    struct Collector: Visitor {
        let named: Bool
        var seen: BucketSet
        var features: [Feature] = []
        init(named: Bool, buckets: Int) {
            self.named = named
            seen = BucketSet(buckets: buckets)
        }
        func wantsName(_ bucket: Int) -> Bool { named }
        mutating func visit(_ bucket: Int, name: String) {
            if seen.insert(bucket) { features.append(Feature(bucket: bucket, name: named ? name : nil)) }
        }
    }

    /// Adds up the weights of the text's distinct features: the score's only pass, which spells nothing. A feature
    /// counts once however often it occurs, so a word repeated ten times (or a long run of the same syllables) is not
    /// ten times the evidence.
    struct Scorer: Visitor {
        let weights: [Int8]
        var seen: BucketSet
        var sum: Int32 = 0
        var count = 0
        init(weights: [Int8]) {
            self.weights = weights
            seen = BucketSet(buckets: weights.count)
        }
        func wantsName(_ bucket: Int) -> Bool { false }
        mutating func visit(_ bucket: Int, name: String) {
            guard seen.insert(bucket) else { return }
            sum &+= Int32(weights[bucket])
            count += 1
        }
    }

    /// Which buckets a text has produced so far: one bit each.
    struct BucketSet {
        private var words: [UInt64]
        init(buckets: Int) { words = [UInt64](repeating: 0, count: (buckets + 63) / 64) }
        /// True when `bucket` was not in the set.
        mutating func insert(_ bucket: Int) -> Bool {
            let bit: UInt64 = 1 << UInt64(bucket & 63)
            let word = words[bucket >> 6]
            guard word & bit == 0 else { return false }
            words[bucket >> 6] = word | bit
            return true
        }
    }

    /// Finds the few buckets with the largest positive weights among a text's features (an explanation's first pass).
    struct Strongest: Visitor {
        let weights: [Int8]
        let top: Int
        var best: [(bucket: Int, weight: Int8)] = []
        func wantsName(_ bucket: Int) -> Bool { false }
        mutating func visit(_ bucket: Int, name: String) {
            let weight = weights[bucket]
            guard weight > 0, !best.contains(where: { $0.bucket == bucket }) else { return }
            if best.count < top {
                best.append((bucket, weight))
            } else if let weakest = best.indices.min(by: { best[$0].weight < best[$1].weight }), best[weakest].weight < weight {
                best[weakest] = (bucket, weight)
            }
        }
    }

    /// Names the features in a few buckets (an explanation's second pass).
    struct Namer: Visitor {
        let chosen: [Int]
        var names: [(bucket: Int, name: String)] = []
        func wantsName(_ bucket: Int) -> Bool { chosen.contains(bucket) }
        mutating func visit(_ bucket: Int, name: String) {
            if !name.isEmpty, !names.contains(where: { $0.bucket == bucket }) { names.append((bucket, name)) }
        }
    }

    /// Gives `visitor` each feature's bucket and, for the buckets it asks for, the feature's spelling.
    static func visit<V: Visitor>(_ text: NormalizedText, buckets: Int, into visitor: inout V) {
        let mask = UInt64(buckets - 1)
        func emit(_ hash: UInt64, _ name: @autoclosure () -> String) {
            // Mix the FNV bits so the low ones (the bucket) depend on every symbol.
            var h = hash ^ (hash >> 29)
            h = h &* 0xbf58_476d_1ce4_e5b9
            h ^= h >> 32
            let bucket = Int(h & mask)
            visitor.visit(bucket, name: visitor.wantsName(bucket) ? name() : "")
        }
        func spell(_ symbols: Span<UInt32>, _ range: Range<Int>) -> String {
            String(String.UnicodeScalarView(range.compactMap { Unicode.Scalar(symbols[$0]) }))
        }
        let offset = FNV1a.offsetBasis
        // Jamo view: n-grams of 2…4 inside each word, and the word. Words the view read off a QWERTY keyboard (Latin
        // letters typed as Korean keys) are left to the Latin view: an English sentence spelled as jamo is noise that
        // can look like keyboard-typed abuse.
        let jamo = text.jamo
        jamo.withSymbols { symbols in
            var start = 0
            while start < symbols.count {
                var end = start
                var typed = false
                while end < symbols.count, symbols[end] != TextView.boundary {
                    typed = typed || jamo.unit(end).qwerty
                    end += 1
                }
                if typed {
                    start = end + 1
                    continue
                }
                var whole = offset ^ 0x57
                for first in start..<end {
                    whole = FNV1a.step(whole, UInt64(symbols[first]))
                    var hash = offset ^ 0x4A
                    for length in 1...4 where first + length <= end {
                        hash = FNV1a.step(hash, UInt64(symbols[first + length - 1]))
                        if length >= 2 { emit(hash, "j:" + spell(symbols, first..<(first + length))) }
                    }
                }
                if end > start { emit(whole, "w:" + spell(symbols, start..<end)) }
                start = end + 1
            }
        }
        // Characters as written (folded: case, width, look-alikes), n-grams of 1…3 inside words: Korean word pieces
        // (syllables and their neighbours) that the jamo view spells apart.
        let base = text.base
        var start = 0
        while start < base.count {
            guard TextNormalizer.isWordCharacter(base.classes[start].kind) else {
                start += 1
                continue
            }
            var end = start
            while end < base.count, TextNormalizer.isWordCharacter(base.classes[end].kind) { end += 1 }
            for first in start..<end {
                var hash = offset ^ 0x53
                for length in 1...3 where first + length <= end {
                    hash = FNV1a.step(hash, UInt64(base.classes[first + length - 1].value))
                    emit(
                        hash,
                        "s:" + String(String.UnicodeScalarView((first..<(first + length)).compactMap { Unicode.Scalar(base.classes[$0].value) }))
                    )
                }
            }
            start = end
        }
        // Latin view: each word, and n-grams of 3 and 4 letters inside it.
        text.latin.withSymbols { symbols in
            var start = 0
            while start < symbols.count {
                var end = start
                while end < symbols.count, symbols[end] != TextView.boundary { end += 1 }
                var whole = offset ^ 0x4C
                for position in start..<end { whole = FNV1a.step(whole, UInt64(symbols[position])) }
                if end > start { emit(whole, "l:" + spell(symbols, start..<end)) }
                if end - start > 3 {
                    for first in start..<end {
                        var hash = offset ^ 0x6E
                        for length in 1...4 where first + length <= end {
                            hash = FNV1a.step(hash, UInt64(symbols[first + length - 1]))
                            if length >= 3 { emit(hash, "n:" + spell(symbols, first..<(first + length))) }
                        }
                    }
                }
                start = end + 1
            }
        }
    }

    // MARK: Scoring

    /// The model's probability that `text` is abusive.
    public func score(_ text: NormalizedText) -> Double {
        var scorer = Scorer(weights: compact)
        Self.visit(text, buckets: buckets, into: &scorer)
        return Self.probability(bias: bias, sum: Float(scorer.sum) * scale, count: scorer.count)
    }

    static func probability(bias: Float, sum: Float, count: Int) -> Double {
        1 / (1 + exp(-(Double(bias) + Double(sum) / Double(max(1, count)).squareRoot())))
    }

    /// `1 / (1 + e^-z)` with `z = bias + Σ weight / √n` over the `n` features: a long comment is not more abusive for
    /// being long.
    public func score(_ features: [Feature]) -> Double {
        var sum: Int32 = 0
        for feature in features { sum &+= Int32(compact[feature.bucket]) }
        return Self.probability(bias: bias, sum: Float(sum) * scale, count: features.count)
    }

    /// The features that raised the score most, with their weights: what a moderator is shown. The buckets are found
    /// first; only features in the strongest ones are spelled.
    public func explain(_ text: NormalizedText, top: Int = 3) -> [(feature: String, weight: Float)] {
        var strongest = Strongest(weights: compact, top: top)
        Self.visit(text, buckets: buckets, into: &strongest)
        var namer = Namer(chosen: strongest.best.map(\.bucket))
        Self.visit(text, buckets: buckets, into: &namer)
        return namer.names.map { (feature: $0.name, weight: Float(compact[$0.bucket]) * scale) }
            .sorted { ($1.weight, $0.feature) < ($0.weight, $1.feature) }
    }

}
