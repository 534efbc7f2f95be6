public import Foundation
public import PostgresLibPQ

/// Accounts' standing and sanctions, and articles opened or closed for comments. Sanctions are append-only;
/// `accounts.status` is the current standing they produce.
public struct Accounts: Sendable {
    public init() {}

    public enum Sanction: String, Sendable, Codable, CaseIterable {
        case warn, suspend, ban, unban
    }

    public struct Sanctioned: Sendable, Codable, Equatable {
        public var sanctionID: Int64
        public var account: String
        public var kind: Sanction
        public var status: String
        public var until: Date?
        /// Held comments of the account rejected with the ban (`--reject-pending`).
        public var rejectedComments: [Int64]
    }

    public struct Standing: Sendable, Codable, Equatable {
        public var account: String
        public var displayName: String
        public var status: String
        public var suspendedUntil: Date?
        public var firstSeenAt: Date
        public var comments: Int
        public var approved: Int
        public var rejected: Int
        public var held: Int
        public var sanctions: [Moderation.Event]
    }

    func id(of account: AccountRef, on connection: PostgresConnection) async throws -> Int64? {
        try await connection.query(
            "SELECT id FROM accounts WHERE provider = \(account.provider) AND provider_subject = \(account.subject)"
        ).first?.decode(Int64.self, at: 0)
    }

    // MARK: Readers' rights

    /// Everything stored about `account`, with moderators' names and notes, as JSON; nil when there is no such account.
    public func export(_ account: AccountRef, on connection: PostgresConnection) async throws -> String? {
        guard let id = try await id(of: account, on: connection) else { return nil }
        return try await connection.query("SELECT build_reader_export(\(id), true)::text").single().decode(String.self, at: 0)
    }

    /// Erases `account`'s data now (see sql/0011_privacy.sql): returns how many comments lost their text; nil when
    /// there is no such account.
    public func erase(_ account: AccountRef, by moderator: String, on connection: PostgresConnection) async throws -> Int? {
        guard let id = try await id(of: account, on: connection) else { return nil }
        return try await connection.query("SELECT erase_account(\(id), \(moderator))").single().decode(Int.self, at: 0)
    }

    /// The worker's share: erasures whose grace period has passed, then rejected text past the policy's retention.
    /// Returns how many accounts were erased and how many comments lost their text.
    public func privacyMaintenance(limit: Int, on connection: PostgresConnection) async throws -> (erased: Int, pruned: Int) {
        try await connection.query("SELECT erase_due_accounts(\(limit)), prune_rejected_text(\(limit * 10))").single().decode((Int, Int).self)
    }

    /// Records `kind` against `account` and updates its standing, in one transaction. A ban with `rejectPending`
    /// also rejects the account's held comments (reason `account_banned`), each with a decision row. Nil when the
    /// account does not exist.
    public func sanction(
        _ account: AccountRef,
        _ kind: Sanction,
        reason: String,
        duration seconds: Int?,
        rejectPending: Bool,
        moderator: String,
        on connection: PostgresConnection
    ) async throws -> Sanctioned? {
        try await connection.withTransaction { connection in
            let found = try await connection.query(
                "SELECT id FROM accounts WHERE provider = \(account.provider) AND provider_subject = \(account.subject) FOR UPDATE"
            ).first?.decode(Int64.self, at: 0)
            guard let id = found else { return nil }
            let until: SQLQuery = kind == .suspend ? "now() + make_interval(secs => \(seconds ?? 7 * 86_400))" : "NULL"
            let row = try await connection.query(
                """
                WITH s AS (
                    INSERT INTO account_sanctions (account_id, kind, until, reason, issued_by)
                    VALUES (\(id), \(kind.rawValue), \(until), \(reason), \(moderator))
                    RETURNING id, until
                ), a AS (
                    UPDATE accounts SET
                        status = CASE \(kind.rawValue) WHEN 'warn' THEN status WHEN 'suspend' THEN 'suspended'
                                                       WHEN 'ban' THEN 'banned' ELSE 'active' END,
                        suspended_until = CASE \(kind.rawValue) WHEN 'warn' THEN suspended_until WHEN 'suspend' THEN (SELECT until FROM s)
                                                                ELSE NULL END
                    WHERE id = \(id)
                    RETURNING status
                )
                SELECT s.id, a.status, s.until FROM s, a
                """
            ).single().decode((Int64, String, Date?).self)
            var rejected: [Int64] = []
            if kind == .ban, rejectPending {
                // The same decision a moderator records with `modctl reject`, comment by comment (it also ends claims).
                let pending = try await connection.query(
                    "SELECT id FROM comments WHERE account_id = \(id) AND status = 'held' ORDER BY id FOR UPDATE"
                ).map { try $0.decode(Int64.self, at: 0) }
                for comment in pending {
                    _ = try await Moderation().decideLocked(
                        comment,
                        .reject,
                        reasons: ["account_banned"],
                        note: reason,
                        moderator: moderator,
                        reverse: false,
                        on: connection
                    )
                    rejected.append(comment)
                }
            }
            return Sanctioned(
                sanctionID: row.0,
                account: account.description,
                kind: kind,
                status: row.1,
                until: row.2,
                rejectedComments: rejected
            )
        }
    }

    /// The account's standing: status, counts of its comments by status, and its sanctions. Nil when unknown.
    public func standing(_ account: AccountRef, on connection: PostgresConnection) async throws -> Standing? {
        guard let id = try await id(of: account, on: connection) else { return nil }
        let v = try await connection.query(
            """
            SELECT a.display_name, a.status, a.suspended_until, a.first_seen_at,
                   count(c.id) AS comments, count(c.id) FILTER (WHERE c.status = 'approved') AS approved,
                   count(c.id) FILTER (WHERE c.status IN ('rejected', 'removed')) AS rejected,
                   count(c.id) FILTER (WHERE c.status = 'held') AS held
            FROM accounts a LEFT JOIN comments c ON c.account_id = a.id
            WHERE a.id = \(id)
            GROUP BY a.id
            """
        ).single()
        let sanctions = try await connection.query(
            "SELECT issued_at, kind, issued_by, reason, until FROM account_sanctions WHERE account_id = \(id) ORDER BY issued_at, id"
        ).map { row in
            let s = try row.decode((Date, String, String, String, Date?).self)
            return Moderation.Event(at: s.0, kind: "sanction", commentID: nil, source: s.1, outcome: nil, reasons: [], by: s.2, note: s.3, until: s.4)
        }
        return Standing(
            account: account.description,
            displayName: try v.decode(column: "display_name"),
            status: try v.decode(column: "status"),
            suspendedUntil: try v.decode(column: "suspended_until"),
            firstSeenAt: try v.decode(column: "first_seen_at"),
            comments: try v.decode(column: "comments"),
            approved: try v.decode(column: "approved"),
            rejected: try v.decode(column: "rejected"),
            held: try v.decode(column: "held"),
            sanctions: sanctions
        )
    }
}
