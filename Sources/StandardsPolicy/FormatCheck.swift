/// What a reader is told at once about a comment the policy would reject for its form alone: empty, too long,
/// control characters, or a character stacked with too many scalars. The API answers these before queueing.
public struct FormatRefusal: Sendable, Equatable {
    public enum Problem: String, Sendable {
        case empty, tooLong = "too_long", tooManyBytes = "too_many_bytes", controlCharacters = "control_characters"
        case combiningOverload = "combining_overload"
    }

    public var problem: Problem
    /// The reason code of the rule that refused it (the policy's vocabulary, e.g. `too_long`).
    public var reason: String
    public var rule: String
    /// User-perceived characters, counted as the length rule counts them.
    public var characters: Int
    public var bytes: Int
}

extension CompiledPolicy {
    /// The first rejecting format rule, in policy order, that `text` breaks; nil when the form is acceptable.
    ///
    /// Counts exactly as ``evaluate(_:context:)`` does, with the same normalization.
    public func checkFormat(_ text: String) -> FormatRefusal? {
        let normalized = TextNormalizer.normalize(text)
        let limits = document.limits
        for (index, check) in checks.enumerated() where document.rules[index].action == .reject {
            let problem: FormatRefusal.Problem? =
                switch check {
                case .length:
                    normalized.characterCount > limits.maxCharacters
                        ? .tooLong : normalized.byteCount > limits.maxBytes ? .tooManyBytes : nil
                case .empty: normalized.isBlank ? .empty : nil
                case .controlCharacters: normalized.hasControlCharacters ? .controlCharacters : nil
                case .combiningOverload: normalized.maxScalarsPerCharacter > limits.maxScalarsPerCharacter ? .combiningOverload : nil
                default: nil
                }
            if let problem {
                let rule = document.rules[index]
                return FormatRefusal(
                    problem: problem, reason: rule.reason, rule: rule.id, characters: normalized.characterCount, bytes: normalized.byteCount)
            }
        }
        return nil
    }
}
