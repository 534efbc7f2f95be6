import Foundation
import Testing

@testable import StandardsPolicy

/// Every rule is evaluated for every context (no hand-kept "quiet context" shortcut): each fact a context rule acts on,
/// changed alone from an ordinary reader's context, makes some rule fire, and the ordinary context lets the text decide.
@Suite
struct QuietContextTests {
    static let texts = ["좋은 기사 감사합니다", "fuck this", "010-1234-5678로 연락", "see spamsite.com now", "", String(repeating: "ㅋ", count: 300)]

    @Test func quietContextsGiveTheFullLoopsVerdicts() {
        let now = Date()
        let quiet = EvaluationContext.textOnly(now: now)
        let recent = [EvaluationContext.RecentComment(submittedAt: now.addingTimeInterval(-5), article: "a", body: "좋은 기사 감사합니다")]
        var loud: [(String, EvaluationContext)] = []
        func variant(_ name: String, _ change: (inout EvaluationContext) -> Void) {
            var context = quiet
            change(&context)
            loud.append((name, context))
        }
        variant("anonymous") { $0.authenticated = false }
        variant("provider") { $0.provider = "myspace" }
        variant("no provider") { $0.provider = nil }
        variant("suspended") { $0.accountStatus = .suspended }
        variant("banned") { $0.accountStatus = .banned }
        variant("closed") { $0.articleClosed = true }
        variant("recent comments") { $0.recentComments = recent }
        variant("new commenter") { $0.approvedCount = 0 }
        variant("rejections") {
            $0.recentDecisions = 50
            $0.recentRejections = 50
        }
        for text in Self.texts {
            // In the ordinary context only the text decides: the same verdict as the text-only context.
            #expect(standardsBoard.evaluate(text, context: quiet) == standardsBoard.evaluate(text, context: .textOnly(now: now)), "\(text)")
        }
        // Each loud variant is loud for a reason a rule acts on: some rule about the context fires.
        for (name, context) in loud {
            #expect(standardsBoard.evaluate("좋은 기사 감사합니다", context: context).outcome != .approve, "\(name)")
        }
    }
}
