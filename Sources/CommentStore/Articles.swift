public import Foundation
public import PostgresLibPQ

/// The site's articles: comments are accepted only on registered ones, and only while they are open.
public struct Articles: Sendable {
    public init() {}

    /// Registers an article (or updates its URL and title), as a site's CMS does through `register_article`.
    public func register(_ ref: String, url: String?, title: String?, publishedAt: Date, on connection: PostgresConnection) async throws {
        try await connection.query("SELECT register_article(\(ref), \(url), \(title), \(publishedAt))")
    }

    /// Closes (`open == false`) or reopens an article for comments. False when there is no such article.
    public func setOpen(_ ref: String, _ open: Bool, on connection: PostgresConnection) async throws -> Bool {
        let closedAt: SQLQuery = open ? "NULL" : "coalesce(comments_closed_at, now())"
        return try await !connection.query("UPDATE articles SET comments_closed_at = \(closedAt) WHERE ref = \(ref) RETURNING id").isEmpty
    }
}
