/// Bidirectional embeddings, overrides and isolates (U+202A–202E, U+2066–2069), which can make published text read
/// differently from what was judged.
public struct BidiControlsRule: FormatRule {
    public static let kind = "bidi_controls"
    public init() {}
    public func formatProblem(_ text: NormalizedText, limits: Limits) -> FormatRefusal.Problem? { text.hasBidiControls ? .bidiControls : nil }
}
