public import Foundation
public import PostgresLibPQ

/// Posts the API refused before storing anything, counted per minute and reason (sql/0014_refused_posts.sql): no
/// text, no reader, only how many.
public struct RefusedPosts: Sendable {
    public init() {}

    /// Adds `counts` (reason code → posts) to the minute `at` falls in.
    public func record(_ counts: [String: Int], at: Date, on connection: PostgresConnection) async throws {
        let reasons = counts.keys.sorted()
        guard !reasons.isEmpty else { return }
        let posts = reasons.map { Int64(counts[$0] ?? 0) }
        try await connection.query("SELECT record_refused_posts(\(reasons)::text[], \(posts)::bigint[], \(at))")
    }
}
