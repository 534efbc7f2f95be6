public import Foundation
public import PostgresLibPQ

/// Webhook endpoints (sql/0012_webhooks.sql), managed with `modctl webhooks`.
public struct Webhooks: Sendable {
    public init() {}

    /// The event types an endpoint can subscribe to.
    public static let eventTypes = ["comment.approved", "comment.held", "comment.rejected", "comment.removed", "account.sanctioned"]

    public struct Endpoint: Sendable, Codable, Equatable {
        public var id: Int64
        public var url: String
        /// Empty: every event type.
        public var events: [String]
        public var createdBy: String
        public var createdAt: Date
        public var pending: Int
        public var delivered: Int
        public var failed: Int
        public var lastError: String?
    }

    /// Adds an endpoint with a new random secret (64 hex characters), returned once: the receiver verifies with it.
    public func add(url: String, events: [String], by actor: String, on connection: PostgresConnection) async throws -> (id: Int64, secret: String) {
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = generator.next() }
        let secret = bytes.map { String(format: "%02x", $0) }.joined()
        let id = try await connection.query(
            "INSERT INTO webhook_endpoints (url, secret, events, created_by) VALUES (\(url), \(secret), \(events)::text[], \(actor)) RETURNING id"
        ).single().decode(Int64.self, at: 0)
        return (id, secret)
    }

    /// The endpoints in use, with their deliveries.
    public func list(on connection: PostgresConnection) async throws -> [Endpoint] {
        try await connection.query(
            """
            SELECT w.id, w.url, w.events, w.created_by, w.created_at,
                   count(o.id) FILTER (WHERE o.delivered_at IS NULL AND o.failed_at IS NULL),
                   count(o.id) FILTER (WHERE o.delivered_at IS NOT NULL), count(o.id) FILTER (WHERE o.failed_at IS NOT NULL),
                   (SELECT last_error FROM webhook_outbox l WHERE l.endpoint_id = w.id AND l.last_error IS NOT NULL
                    ORDER BY l.next_attempt_at DESC LIMIT 1)
            FROM webhook_endpoints w LEFT JOIN webhook_outbox o ON o.endpoint_id = w.id
            WHERE w.removed_at IS NULL
            GROUP BY w.id ORDER BY w.id
            """
        ).map { row in
            let v = try row.decode((Int64, String, [String], String, Date, Int, Int, Int, String?).self)
            return Endpoint(
                id: v.0, url: v.1, events: v.2, createdBy: v.3, createdAt: v.4, pending: v.5, delivered: v.6, failed: v.7, lastError: v.8)
        }
    }

    /// Stops sending to endpoint `id` (its outbox stays for the record); false when there is no such endpoint in use.
    public func remove(_ id: Int64, on connection: PostgresConnection) async throws -> Bool {
        try await connection.query("UPDATE webhook_endpoints SET removed_at = now() WHERE id = \(id) AND removed_at IS NULL RETURNING id")
            .first != nil
    }
}
