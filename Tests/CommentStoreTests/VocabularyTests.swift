import CommentStore
import PostgresLibPQ
import PostgresTestSupport
import Testing

/// The Swift names of statuses, queue states and decision sources are exactly what the schema's CHECK constraints allow.
@Suite(.timeLimit(.minutes(2)))
struct VocabularyTests {
    /// The quoted values of a constraint `CHECK ((column = ANY (ARRAY['a'::text, …])))`, as PostgreSQL prints it, on
    /// the table itself (its partitions carry copies of the same name).
    static func allowed(_ constraint: String, on db: PostgresClient) async throws -> Set<String> {
        let table = constraint.split(separator: "_").dropLast(2).joined(separator: "_")  // comments_status_known: comments
        let definition = try await db.query(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = \(constraint) AND conrelid = \(table)::regclass"
        ).single().decode(String.self, at: 0)
        return Set(definition.split(separator: "'").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) })
    }

    @Test func theEnumsMatchTheSchema() async throws {
        try await withMigratedDatabase(label: "vocabulary") { (db: PostgresClient) async throws -> Void in
            let statuses = try await Self.allowed("comments_status_known", on: db)
            let states = try await Self.allowed("comment_queue_state_known", on: db)
            let sources = try await Self.allowed("moderation_decisions_source_known", on: db)
            let outcomes = try await Self.allowed("moderation_decisions_outcome_known", on: db)
            #expect(statuses == Set(CommentStatus.allCases.map(\.rawValue)))
            #expect(states == Set(QueueState.allCases.map(\.rawValue)))
            #expect(sources == Set(DecisionSource.allCases.map(\.rawValue)))
            #expect(outcomes == Set(DecisionOutcome.allCases.map(\.rawValue)))
            // They travel as their raw values, and an unknown value is refused rather than guessed.
            let held = try await db.query("SELECT \(CommentStatus.held)").single().decode(CommentStatus.self, at: 0)
            #expect(held == .held)
            await #expect(throws: PostgresError.self) {
                try await db.query("SELECT 'pending'").single().decode(CommentStatus.self, at: 0)
            }
        }
    }
}
