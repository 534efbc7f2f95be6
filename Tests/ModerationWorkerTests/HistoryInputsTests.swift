import CommentStore
import Foundation
import PostgresLibPQ
import PostgresTestSupport
import StandardsPolicy
import Testing

/// The worker reads of an account's history what the policy's rules need (``CompiledPolicy/historyNeeds``): the
/// windows of the longest rules, approved comments only as far as the new-commenter rule counts, and no more.
@Suite(.timeLimit(.minutes(3)))
struct HistoryInputsTests {
    @Test func theInputsFollowTheWindowsAndCountsThePolicyNeeds() async throws {
        try await Harness.with("history-inputs") { harness in
            let client = harness.client
            try await client.query("SELECT register_article('a-1', NULL, 'Article', now())")
            try await client.query("INSERT INTO accounts (provider, provider_subject) VALUES ('twitter', 'regular')")
            // A regular of two years: 40 approved comments between 100 and 730 days ago, three rejected 40 days ago,
            // two approved 2 days ago, one rejected 20 hours ago, and the comment being judged, just now.
            try await client.query(
                """
                INSERT INTO comments (article_id, account_id, body, submitted_at, status, auth_provider)
                SELECT 1, 1, 'comment ' || n || ' of the past', now() - at * interval '1 hour', status, 'twitter'
                FROM (SELECT n, (100 + n * 15) * 24 AS at, 'approved' AS status FROM generate_series(1, 40) n
                      UNION ALL SELECT 40 + n, 40 * 24, 'rejected' FROM generate_series(1, 3) n
                      UNION ALL SELECT 43 + n, 48, 'approved' FROM generate_series(1, 2) n
                      UNION ALL SELECT 46, 20, 'rejected') AS past
                """
            )
            let judged = try await client.query(
                """
                INSERT INTO comments (article_id, account_id, body, submitted_at, status, auth_provider)
                VALUES (1, 1, '좋은 기사입니다', now(), 'queued', 'twitter') RETURNING id
                """
            ).single().decode(Int64.self, at: 0)

            func context(_ needs: HistoryNeeds) async throws -> EvaluationContext {
                try #require(try await client.withConnection { try await ModerationInputs().load([judged], needs: needs, on: $0) }.first).context
            }

            let threeDays = try await context(HistoryNeeds(recentSeconds: 3 * 86_400, approvedCount: 3, standingSeconds: 30 * 86_400))
            #expect(threeDays.recentComments.count == 3)  // two days and twenty hours ago, not the rest
            #expect(threeDays.approvedCount == 3)  // 42 approved; the rules ask whether there are 3
            #expect(threeDays.recentDecisions == 3 && threeDays.recentRejections == 1)

            let longer = try await context(HistoryNeeds(recentSeconds: 86_400, approvedCount: 100, standingSeconds: 90 * 86_400))
            #expect(longer.recentComments.count == 1)
            #expect(longer.approvedCount == 42)
            #expect(longer.recentDecisions == 6 && longer.recentRejections == 4)

            // A newcomer with one approved comment and one held, judged in the same batch: each author's own count.
            try await client.query("INSERT INTO accounts (provider, provider_subject) VALUES ('twitter', 'newcomer')")
            let newcomer = try await client.query(
                """
                INSERT INTO comments (article_id, account_id, body, submitted_at, status, auth_provider)
                VALUES (1, 2, 'first', now() - interval '1 hour', 'approved', 'twitter'),
                       (1, 2, 'second', now() - interval '1 minute', 'held', 'twitter'),
                       (1, 2, 'third', now(), 'queued', 'twitter')
                RETURNING id
                """
            ).map { try $0.decode(Int64.self, at: 0) }.max()!
            let both = try await client.withConnection {
                try await ModerationInputs().load(
                    [judged, newcomer],
                    needs: HistoryNeeds(recentSeconds: 0, approvedCount: 3, standingSeconds: 0),
                    on: $0
                )
            }
            #expect(both.map(\.context.approvedCount) == [3, 1])

            let nothing = try await context(.none)
            #expect(nothing.recentComments.isEmpty && nothing.approvedCount == 0 && nothing.recentDecisions == 0)

            // Through a policy: a weekly limit of three comments holds this one, which a day's window would not see.
            let yaml = """
                version: "t1"
                login: {providers: [twitter]}
                reason_codes: [login_required, rate_limited, processing_error, other]
                rules:
                  - {id: weekly, kind: rate_limit, action: hold, reason: rate_limited, category: behaviour, params: {window: 7d, max: 3}}
                """
            let weekly = try CompiledPolicy(bundle: PolicyBundle(mainFile: "policy.yaml", files: ["policy.yaml": yaml]))
            let item = try #require(
                try await client.withConnection { try await ModerationInputs().load([judged], needs: weekly.historyNeeds, on: $0) }.first
            )
            #expect(weekly.evaluate(item.body, context: item.context).hits.map(\.rule) == ["weekly"])
        }
    }
}
