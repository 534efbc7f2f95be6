/// What a reader is told at once about a comment the policy would reject for its form alone: empty, too long,
/// control characters, or a character stacked with too many scalars. The API answers these before queueing.
public struct FormatRefusal: Sendable, Equatable {
    public enum Problem: String, Sendable {
        case empty
        case tooLong = "too_long"
        case tooManyBytes = "too_many_bytes"
        case controlCharacters = "control_characters"
        case bidiControls = "bidi_controls"
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
        for (index, kind) in kinds.enumerated() where document.rules[index].action == .reject {
            if let problem = kind.formatProblem(normalized, limits: limits) {
                let rule = document.rules[index]
                return FormatRefusal(
                    problem: problem,
                    reason: rule.reason,
                    rule: rule.id,
                    characters: normalized.characterCount,
                    bytes: normalized.byteCount
                )
            }
        }
        return nil
    }
}

extension FormatRefusal.Problem {
    /// The hit's `matched` text: what was counted, against which limit.
    func describe(_ text: NormalizedText, _ limits: Limits) -> String {
        switch self {
        case .tooLong: "\(text.characterCount) characters, limit \(limits.maxCharacters)"
        case .tooManyBytes: "\(text.byteCount) bytes, limit \(limits.maxBytes)"
        case .empty: "nothing but whitespace"
        case .controlCharacters: "control characters"
        case .bidiControls: "bidirectional control characters"
        case .combiningOverload: "\(text.maxScalarsPerCharacter) scalars in one character, limit \(limits.maxScalarsPerCharacter)"
        }
    }
}
