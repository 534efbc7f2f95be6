/// More characters than `limits.max_characters`, or more bytes than `limits.max_bytes`.
public struct LengthRule: FormatRule {
    public static let kind = "length"
    public init() {}
    public func formatProblem(_ text: NormalizedText, limits: Limits) -> FormatRefusal.Problem? {
        text.characterCount > limits.maxCharacters ? .tooLong : text.byteCount > limits.maxBytes ? .tooManyBytes : nil
    }
}
