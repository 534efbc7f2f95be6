/// NUL or other control characters.
public struct ControlCharactersRule: FormatRule {
    public static let kind = "control_characters"
    public init() {}
    public func formatProblem(_ text: NormalizedText, limits: Limits) -> FormatRefusal.Problem? {
        text.hasControlCharacters ? .controlCharacters : nil
    }
}
