/// A character with more scalars than `limits.max_scalars_per_character` ("Zalgo").
public struct CombiningOverloadRule: FormatRule {
    public static let kind = "combining_overload"
    public init() {}
    public func formatProblem(_ text: NormalizedText, limits: Limits) -> FormatRefusal.Problem? {
        text.maxScalarsPerCharacter > limits.maxScalarsPerCharacter ? .combiningOverload : nil
    }
}
