public import Foundation
public import PostgresLibPQ
public import StandardsPolicy

/// Everything a moderator reads about one comment: `modctl show`, and each comment `modctl review` presents.
public struct CommentDetail: Sendable, Encodable {
    public var id: Int64
    public var article: String
    public var articleTitle: String?
    public var status: CommentStatus
    public var submittedAt: Date
    public var body: String
    /// provider:subject, or empty for a comment submitted without a login.
    public var author: String
    /// The automatic decision's rule hits (empty before it).
    public var hits: [Hit]
    public var standing: Accounts.Standing?
    /// The latest decisions on the author's other comments.
    public var authorRecent: [Moderation.Event]
    public var flags: [Moderation.Flag]
    public var history: [Moderation.Event]
}

extension Moderation {
    /// The comment `id` with its hits, its author's standing and recent decisions, its flags and its history; nil if
    /// there is no such comment.
    public func detail(_ id: Int64, on connection: PostgresConnection) async throws -> CommentDetail? {
        let rows = try await connection.query(
            """
            SELECT c.id, ar.ref AS article, ar.title, c.status, c.submitted_at, c.body,
                   coalesce(acc.provider || ':' || acc.provider_subject, '') AS author,
                   coalesce((SELECT hits FROM moderation_decisions WHERE comment_id = c.id AND source = 'automatic'), '[]') AS hits
            FROM comments c JOIN articles ar ON ar.id = c.article_id LEFT JOIN accounts acc ON acc.id = c.account_id
            WHERE c.id = \(id)
            """
        )
        guard let row = rows.first else { return nil }
        let author: String = try row.decode(column: "author")
        var standing: Accounts.Standing?
        var recent: [Moderation.Event] = []
        if let account = AccountRef(author) {
            standing = try await Accounts().standing(account, on: connection)
            let others = try await history(account: account, limit: 50, on: connection) ?? []
            recent = Array(others.filter { $0.kind == "decision" && $0.commentID != id }.suffix(5))
        }
        return CommentDetail(
            id: id,
            article: try row.decode(column: "article"),
            articleTitle: try row.decode(column: "title"),
            status: try row.decode(column: "status"),
            submittedAt: try row.decode(column: "submitted_at"),
            body: try row.decode(column: "body"),
            author: author,
            hits: try row.decode(PostgresJSON.self, column: "hits").decode([Hit].self),
            standing: standing,
            authorRecent: recent,
            flags: try await flags(comment: id, on: connection),
            history: try await history(comment: id, on: connection) ?? []
        )
    }
}
