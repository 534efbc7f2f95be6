import Foundation
import StandardsPolicy
import Testing

@Suite
struct ContextRuleTests {
    let now = Date(timeIntervalSince1970: 1_795_918_081)

    func verdict(_ text: String, _ context: EvaluationContext) -> Verdict {
        standardsBoard.evaluate(text, context: context)
    }

    func verdict(_ context: EvaluationContext) -> Verdict { verdict("좋은 기사네요", context) }

    @Test func anonymousSubmissionsAreRejected() {
        let result = verdict(EvaluationContext(authenticated: false, provider: nil, now: now, approvedCount: 10))
        #expect(result.outcome == .reject)
        #expect(result.reasons == ["login_required"])
    }

    @Test func providersNotInThePolicyAreRejected() {
        #expect(verdict(EvaluationContext(authenticated: true, provider: "google", now: now, approvedCount: 10)).reasons == ["provider_not_allowed"])
        #expect(verdict(EvaluationContext(authenticated: true, provider: "facebook", now: now, approvedCount: 10)).outcome == .approve)
        #expect(verdict(EvaluationContext(authenticated: true, provider: "Twitter", now: now, approvedCount: 10)).outcome == .approve)
    }

    @Test func bannedAndSuspendedAccountsAreRejected() {
        let banned = verdict(EvaluationContext(authenticated: true, provider: "twitter", accountStatus: .banned, now: now, approvedCount: 10))
        #expect(banned.outcome == .reject && banned.reasons == ["account_banned"])
        let suspended = verdict(EvaluationContext(authenticated: true, provider: "twitter", accountStatus: .suspended, now: now, approvedCount: 10))
        #expect(suspended.outcome == .reject && suspended.reasons == ["account_suspended"])
    }

    @Test func closedArticlesRejectComments() {
        let result = verdict(EvaluationContext(authenticated: true, provider: "twitter", articleClosed: true, now: now, approvedCount: 10))
        #expect(result.reasons == ["article_closed"])
    }

    @Test func rateLimitsCountRecentComments() {
        func recent(_ secondsAgo: [Double], article: String = "a1") -> [EvaluationContext.RecentComment] {
            secondsAgo.enumerated().map { .init(submittedAt: now.addingTimeInterval(-$1), article: article, body: "다른 댓글 \($0)") }
        }
        var context = EvaluationContext(authenticated: true, provider: "twitter", article: "a1", now: now, approvedCount: 10)
        context.recentComments = recent([5, 10, 20, 30])
        #expect(verdict(context).outcome == .approve, "5 in a minute is the limit")
        context.recentComments = recent([5, 10, 20, 30, 40])
        #expect(verdict(context).reasons == ["rate_limited"], "6 in a minute is over")
        context.recentComments = recent([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000])
        #expect(verdict(context).reasons == ["rate_limited"], "11 on one article within an hour")
        context.recentComments = recent([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000], article: "other")
        #expect(verdict(context).outcome == .approve, "spread over articles")
        context.recentComments = recent([120, 4000, 7200])
        #expect(verdict(context).outcome == .approve)
    }

    @Test func duplicatesOfRecentCommentsAreCaught() {
        var context = EvaluationContext(authenticated: true, provider: "twitter", now: now, approvedCount: 10)
        let earlier = "정부의 부동산 정책은 실패했다고 생각합니다"
        context.recentComments = [.init(submittedAt: now.addingTimeInterval(-600), article: "a", body: earlier)]
        #expect(verdict(earlier, context).outcome == .reject)
        #expect(verdict("정부의  부동산 정책은 실패했다고 생각합니다!!", context).reasons.contains("duplicate"), "spacing and punctuation differ")
        #expect(verdict("정부의 부동산 정책은 완전히 실패했다고 생각합니다", context).outcome == .hold, "nearly the same")
        #expect(verdict("오늘 경기 정말 재미있었어요", context).outcome == .approve)
        context.recentComments = [.init(submittedAt: now.addingTimeInterval(-200_000), article: "a", body: earlier)]
        #expect(verdict(earlier, context).outcome == .approve, "outside the window")
    }

    @Test func newCommentersArePreModerated() {
        let first = verdict(EvaluationContext(authenticated: true, provider: "twitter", now: now, approvedCount: 0))
        #expect(first.outcome == .hold && first.reasons == ["new_commenter"])
        #expect(verdict(EvaluationContext(authenticated: true, provider: "twitter", now: now, approvedCount: 3)).outcome == .approve)
    }

    @Test func accountsWithMostlyRejectedCommentsAreHeld() {
        let context = EvaluationContext(
            authenticated: true,
            provider: "twitter",
            now: now,
            approvedCount: 10,
            recentDecisions: 10,
            recentRejections: 7
        )
        #expect(verdict(context).reasons == ["high_rejection_rate"])
        let fine = EvaluationContext(authenticated: true, provider: "twitter", now: now, approvedCount: 10, recentDecisions: 10, recentRejections: 2)
        #expect(verdict(fine).outcome == .approve)
    }

    @Test func verdictsAreDeterministicAndKeepEveryHit() {
        let context = EvaluationContext(authenticated: false, provider: nil, now: now)
        let text = "you idiot, 010-1234-5678, fuck"
        let first = verdict(text, context)
        #expect(first == verdict(text, context))
        #expect(Set(first.reasons) == ["login_required", "insult", "personal_info", "profanity"])
        #expect(first.outcome == .reject)
        #expect(first.policyVersion == standardsBoard.version)
    }

    /// The byte cap follows the character limit unless set, and is never below what the character count accepts.
    @Test func theByteCapFitsEveryTextTheCharacterCountAccepts() throws {
        func limits(_ yaml: String) throws -> Limits {
            try PolicyLoader.document(from: PolicyBundle(mainFile: "policy.yaml", files: ["policy.yaml": LoaderTests.minimal + yaml])).limits
        }
        #expect(try limits("").maxBytes == 250 * 10 * 4)
        #expect(try limits("\nlimits: {max_characters: 100, max_scalars_per_character: 8}").maxBytes == 100 * 8 * 4)
        #expect(try limits("\nlimits: {max_bytes: 20000}").maxBytes == 20000)
    }

    /// bidi_controls fires on embeddings, overrides and isolates, not on the marks right-to-left writers type.
    @Test func bidiControlsAreARuleOfTheirOwn() throws {
        let yaml = LoaderTests.minimal + "\n  - {id: bidi, kind: bidi_controls, action: hold, reason: other, category: format}"
        let policy = try CompiledPolicy(bundle: PolicyBundle(mainFile: "policy.yaml", files: ["policy.yaml": yaml]))
        for scalar in [0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069] {
            let text = "abc" + String(Character(Unicode.Scalar(scalar)!)) + "def"
            #expect(policy.evaluate(text, context: .textOnly()).outcome == .hold, "U+\(String(scalar, radix: 16))")
        }
        for text in ["abc\u{200E}def", "abc\u{200F}def", "abc\u{2029}def", "abc\u{2065}def", "plain", "한국어 ‐ text"] {
            #expect(policy.evaluate(text, context: .textOnly()).outcome == .approve, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        // Only a rejecting rule refuses at the API at once; a hold is judged by the worker.
        #expect(policy.checkFormat("abc\u{202E}def") == nil)
        #expect(standardsBoard.checkFormat("abc\u{202E}def")?.problem == .bidiControls)
    }

    /// The reader API's burst limit is derived from the rejecting, account-wide rate rules of a minute or longer.
    @Test(
        arguments: [
            ("", 0),
            ("\n  - {id: r, kind: rate_limit, action: reject, reason: profanity, category: x, params: {window: 1m, max: 5}}", 5),
            ("\n  - {id: r, kind: rate_limit, action: reject, reason: profanity, category: x, params: {window: 1d, max: 3}}", 3),
            ("\n  - {id: r, kind: rate_limit, action: reject, reason: profanity, category: x, params: {window: 30s, max: 2}}", 0),
            ("\n  - {id: r, kind: rate_limit, action: hold, reason: profanity, category: x, params: {window: 1m, max: 2}}", 0),
            ("\n  - {id: r, kind: rate_limit, action: reject, reason: profanity, category: x, params: {window: 1m, max: 2, per_article: true}}", 0),
        ] as [(String, Int)]
    )
    func theReaderBurstLimitIsDerivedFromTheRules(rules: String, expected: Int) throws {
        let document = try PolicyLoader.document(from: PolicyBundle(mainFile: "policy.yaml", files: ["policy.yaml": LoaderTests.minimal + rules]))
        #expect(document.readerPostsPerMinute == expected)
    }
}
