/// Nothing left after removing whitespace and invisible characters.
public struct EmptyRule: FormatRule {
    public static let kind = "empty"
    public init() {}
    public func formatProblem(_ text: NormalizedText, limits: Limits) -> FormatRefusal.Problem? { text.isBlank ? .empty : nil }
}
