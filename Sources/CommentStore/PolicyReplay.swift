public import Foundation
public import PostgresLibPQ
public import StandardsPolicy

/// Re-evaluates a period's comments under a candidate policy and reports which automatic decisions would change.
/// Runs in a read-only transaction: it cannot change anything.
public struct PolicyReplay: Sendable {
    public struct Change: Sendable, Codable, Equatable {
        public var commentID: Int64
        public var article: String
        public var before: String
        public var after: String
        public var reasonsBefore: [String]
        public var reasonsAfter: [String]
        /// The start of the text; nil when either verdict found personal information in it.
        public var excerpt: String?
    }

    public struct Report: Sendable, Codable, Equatable {
        public var since: Date
        public var candidateVersion: String
        public var comments: Int
        public var changed: Int
        /// "hold → approve": count.
        public var transitions: [String: Int]
        /// Reason codes the candidate adds or drops, counted per comment.
        public var reasonsGained: [String: Int]
        public var reasonsLost: [String: Int]
        /// A few examples per transition.
        public var examples: [String: [Change]]
    }

    public var batchSize: Int
    public var examplesPerTransition: Int

    public init(batchSize: Int = 1000, examplesPerTransition: Int = 3) {
        self.batchSize = batchSize
        self.examplesPerTransition = examplesPerTransition
    }

    public func run(_ candidate: CompiledPolicy, since: Date, on connection: PostgresConnection) async throws -> Report {
        try await connection.withTransaction { connection in
            try await connection.query("SET TRANSACTION READ ONLY")
            var report = Report(
                since: since,
                candidateVersion: candidate.version,
                comments: 0,
                changed: 0,
                transitions: [:],
                reasonsGained: [:],
                reasonsLost: [:],
                examples: [:]
            )
            var after: Int64 = 0
            while true {
                let rows = try await connection.query(
                    """
                    SELECT c.id, d.outcome, d.reasons FROM comments c
                    JOIN moderation_decisions d ON d.comment_id = c.id AND d.source = 'automatic'
                    WHERE c.submitted_at >= \(since) AND c.id > \(after)
                    ORDER BY c.id LIMIT \(batchSize)
                    """
                )
                guard !rows.isEmpty else { break }
                var recorded: [Int64: (outcome: String, reasons: [String])] = [:]
                for row in rows {
                    let (id, outcome, reasons) = try row.decode((Int64, String, [String]).self)
                    recorded[id] = (outcome, reasons)
                    after = max(after, id)
                }
                for item in try await ModerationInputs().load(recorded.keys.sorted(), needs: candidate.historyNeeds, on: connection) {
                    guard let old = recorded[item.commentID] else { continue }
                    report.comments += 1
                    let verdict = candidate.evaluate(item.body, context: item.context)
                    let newReasons = verdict.reasons
                    for reason in Set(newReasons).subtracting(old.reasons) { report.reasonsGained[reason, default: 0] += 1 }
                    for reason in Set(old.reasons).subtracting(newReasons) { report.reasonsLost[reason, default: 0] += 1 }
                    guard verdict.outcome.rawValue != old.outcome else { continue }
                    report.changed += 1
                    let transition = "\(old.outcome) → \(verdict.outcome.rawValue)"
                    report.transitions[transition, default: 0] += 1
                    if report.examples[transition, default: []].count < examplesPerTransition {
                        let private_ = (old.reasons + newReasons).contains("personal_info")
                        report.examples[transition, default: []].append(
                            Change(
                                commentID: item.commentID,
                                article: item.context.article ?? "",
                                before: old.outcome,
                                after: verdict.outcome.rawValue,
                                reasonsBefore: old.reasons,
                                reasonsAfter: newReasons,
                                excerpt: private_ ? nil : String(item.body.prefix(80))
                            )
                        )
                    }
                }
            }
            return report
        }
    }
}
