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
                   count(o.id) FILTER (WHERE o.delivered_at IS NULL AND o.failed_at IS NULL) AS pending,
                   count(o.id) FILTER (WHERE o.delivered_at IS NOT NULL) AS delivered, count(o.id) FILTER (WHERE o.failed_at IS NOT NULL) AS failed,
                   (SELECT last_error FROM webhook_outbox l WHERE l.endpoint_id = w.id AND l.last_error IS NOT NULL
                    ORDER BY l.next_attempt_at DESC LIMIT 1) AS last_error
            FROM webhook_endpoints w LEFT JOIN webhook_outbox o ON o.endpoint_id = w.id
            WHERE w.removed_at IS NULL
            GROUP BY w.id ORDER BY w.id
            """
        ).map { row in
            Endpoint(
                id: try row.decode(column: "id"),
                url: try row.decode(column: "url"),
                events: try row.decode(column: "events"),
                createdBy: try row.decode(column: "created_by"),
                createdAt: try row.decode(column: "created_at"),
                pending: try row.decode(column: "pending"),
                delivered: try row.decode(column: "delivered"),
                failed: try row.decode(column: "failed"),
                lastError: try row.decode(column: "last_error")
            )
        }
    }

    /// Stops sending to endpoint `id` (its outbox stays for the record); false when there is no such endpoint in use.
    public func remove(_ id: Int64, on connection: PostgresConnection) async throws -> Bool {
        try await connection.query("UPDATE webhook_endpoints SET removed_at = now() WHERE id = \(id) AND removed_at IS NULL RETURNING id")
            .first != nil
    }

    // MARK: Delivery (the worker's)

    /// An event due for delivery, leased to the caller for `leaseSeconds`.
    public struct Delivery: Sendable {
        public var outboxID: Int64
        public var url: String
        public var secret: String
        public var eventID: UUID
        public var payload: String
        /// This attempt's number (1 for the first).
        public var attempts: Int
    }

    /// Leases up to `limit` due events (another worker skips them until the lease ends).
    public func claimDue(limit: Int, leaseSeconds: Int, on connection: PostgresConnection) async throws -> [Delivery] {
        try await connection.query(
            "SELECT outbox_id, url, secret, event_id, payload, attempts FROM claim_webhook_deliveries(\(limit), \(leaseSeconds))"
        ).map { row in
            let v = try row.decode((Int64, String, String, UUID, String, Int).self)
            return Delivery(outboxID: v.0, url: v.1, secret: v.2, eventID: v.3, payload: v.4, attempts: v.5)
        }
    }

    /// Records an attempt: delivered, to be tried again in `retrySeconds`, or (failed with no retry) given up.
    public func finish(_ outboxID: Int64, failure: String?, retrySeconds: Int?, on connection: PostgresConnection) async throws {
        try await connection.query("SELECT finish_webhook_delivery(\(outboxID), \(failure == nil), \(failure), \(retrySeconds))")
    }
}
