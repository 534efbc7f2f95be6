import StandardsPolicy
import Testing

/// What the worker loads of an account's history is derived from the policy's rules (``CompiledPolicy/historyNeeds``),
/// never kept beside them by hand.
@Suite
struct HistoryNeedsTests {
    static func policy(_ rules: String) throws -> CompiledPolicy {
        let yaml = """
            version: "t1"
            login: {providers: [twitter]}
            reason_codes: [login_required, rate_limited, duplicate, new_commenter, high_rejection_rate, profanity, processing_error, other]
            rules:
            \(rules)
            """
        return try CompiledPolicy(bundle: PolicyBundle(mainFile: "policy.yaml", files: ["policy.yaml": yaml]))
    }

    @Test func theDefaultPolicyNeedsItsLongestWindowsAndItsNewCommenterCount() throws {
        // rate limits of 1 m, 1 h and 24 h and duplicates within 24 h; three approved before a reader is trusted; the
        // rejection rate over its default 30 days.
        #expect(standardsBoard.historyNeeds == HistoryNeeds(recentSeconds: 86_400, approvedCount: 3, standingSeconds: 30 * 86_400))
    }

    @Test func aPolicyWithoutBehaviourRulesReadsNoHistory() throws {
        let policy = try Self.policy("  - {id: words, kind: terms, action: reject, reason: profanity, category: profanity, terms: [darn]}")
        #expect(policy.historyNeeds == .none)
    }

    @Test func eachRuleKindAsksForWhatItReads() throws {
        let policy = try Self.policy(
            """
              - {id: weekly, kind: rate_limit, action: hold, reason: rate_limited, category: behaviour, params: {window: 7d, max: 500}}
              - {id: same, kind: duplicate, action: reject, reason: duplicate, category: behaviour, params: {window: 2d}}
              - {id: new, kind: new_commenter, action: hold, reason: new_commenter, category: behaviour, params: {first: 12}}
              - {id: rate, kind: rejection_rate, action: hold, reason: high_rejection_rate, category: behaviour, params: {window: 90d}}
            """
        )
        #expect(policy.historyNeeds == HistoryNeeds(recentSeconds: 7 * 86_400, approvedCount: 12, standingSeconds: 90 * 86_400))
        // Leaving the week-long rate limit out shortens the window to the duplicates' two days.
        let shorter = try CompiledPolicy(bundle: policy.bundle, leavingOut: { $0.id == "weekly" })
        #expect(shorter.historyNeeds.recentSeconds == 2 * 86_400)
    }
}
