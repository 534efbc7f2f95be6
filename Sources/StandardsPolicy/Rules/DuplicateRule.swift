import Foundation

/// The same (or, below 1.0, nearly the same) text as one of the account's comments within `window`.
public struct DuplicateRule: RuleType {
    public static let kind = "duplicate"
    public static var readsText: Bool { true }
    public static let parameterNames: Set<String> = ["window", "similarity"]
    public var windowSeconds: Int
    public var similarity: Double

    public static func read(_ parameters: inout RuleParameters) -> DuplicateRule? {
        DuplicateRule(
            windowSeconds: parameters.duration("window") ?? 86_400,
            similarity: parameters.double("similarity", range: 0.5...1.0) ?? 1.0
        )
    }

    public var parameters: String { "window \(windowSeconds)s, similarity \(similarity)" }

    public var historyNeeds: HistoryNeeds { HistoryNeeds(recentSeconds: windowSeconds) }

    public func evaluate(_ input: inout RuleInput, rule: Int, into hits: inout [Hit]) {
        guard !input.context.recentComments.isEmpty else { return }
        let since = input.context.now.addingTimeInterval(-Double(windowSeconds))
        let fingerprint = input.duplicateFingerprint()
        guard fingerprint.isComparable else { return }
        for recent in input.context.recentComments where recent.submittedAt > since {
            let score = Duplicates.similarity(fingerprint, recent.fingerprint, atLeast: similarity)
            if score >= similarity {
                hits.append(input.hit(rule, matched: score >= 1 ? "same as an earlier comment" : "nearly the same as an earlier comment"))
                return
            }
        }
    }
}
