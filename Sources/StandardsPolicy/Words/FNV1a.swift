/// FNV-1a, 64 bits: the one hash of the engine's words and n-grams (the tokenizer's repeated-word check, the signals'
/// word table, the learned model's features), and of anything else that needs a stable, fast, non-cryptographic hash.
public enum FNV1a {
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    public static let prime: UInt64 = 0x100_0000_01b3

    /// The hash so far, extended by one unit (a byte, a scalar, a symbol).
    @inlinable @inline(__always)
    public static func step(_ hash: UInt64, _ unit: UInt64) -> UInt64 { (hash ^ unit) &* prime }

    /// The hash of a whole sequence of units.
    @inlinable
    public static func hash<Units: Sequence>(_ units: Units) -> UInt64 where Units.Element: BinaryInteger {
        units.reduce(offsetBasis) { step($0, UInt64($1)) }
    }
}
