public import Foundation
public import PostgresLibPQ
public import StandardsPolicy

/// The `policy_versions` table: every Standards Board Policy that was ever active, exactly one active now.
///
/// Activating stores the whole bundle (the YAML and its term files) with its SHA-256, so any decision's policy can
/// be rebuilt exactly, and sends `NOTIFY policy_changed` so running workers switch without a restart.
public struct PolicyVersions: Sendable {
    /// The channel workers listen on for policy changes.
    public static let channel = "policy_changed"

    /// One stored version.
    public struct Stored: Sendable {
        public var id: Int64
        public var version: String
        public var sha256: String
        public var bundle: PolicyBundle
        public var activatedBy: String
        public var activatedAt: Date
    }

    public init() {}

    /// The active version, or nil when none was ever activated.
    public func active(on connection: PostgresConnection) async throws -> Stored? {
        let rows = try await connection.query(
            """
            SELECT id, version, sha256, document, files, activated_by, activated_at
            FROM policy_versions WHERE is_active
            """
        )
        guard let row = rows.first else { return nil }
        let document = try row.decode(String.self, column: "document")
        var texts = try row.decode(PostgresJSON.self, column: "files").decode([String: String].self)
        let mainFile = texts["__main__"] ?? "standards-board.yaml"
        texts["__main__"] = nil
        texts[mainFile] = document
        return Stored(
            id: try row.decode(column: "id"),
            version: try row.decode(column: "version"),
            sha256: try row.decode(column: "sha256"),
            bundle: PolicyBundle(mainFile: mainFile, files: texts),
            activatedBy: try row.decode(column: "activated_by"),
            activatedAt: try row.decode(column: "activated_at")
        )
    }

    /// The id of the active version (a cheap check for changes), or nil.
    public func activeID(on connection: PostgresConnection) async throws -> Int64? {
        try await connection.query("SELECT id FROM policy_versions WHERE is_active").first?.decode(Int64.self, at: 0)
    }

    /// Validates `bundle`, stores it as a new version and makes it the active one, in one transaction; notifies
    /// workers. Throws ``PolicyError`` for an invalid policy, and nothing is stored then.
    @discardableResult
    public func activate(_ bundle: PolicyBundle, by moderator: String, on connection: PostgresConnection) async throws -> Stored {
        let compiled = try CompiledPolicy(bundle: bundle)
        return try await connection.withTransaction { connection in
            try await Self.serialize(connection)
            try await connection.query("UPDATE policy_versions SET is_active = false, deactivated_at = now() WHERE is_active")
            let stored = try await insert(compiled, by: moderator, on: connection)
            try await connection.query("SELECT pg_notify(\(Self.channel), \(String(stored.id)))")
            return stored
        }
    }

    /// Activations and seeds take turns on a transaction-scoped advisory lock ("CmtPol" in ASCII): unlike LOCK TABLE it
    /// needs no table-wide UPDATE right, so the moderator role (sql/roles.sql) may activate without being able to
    /// rewrite stored versions.
    static func serialize(_ connection: PostgresConnection) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(\(Int64(0x436D_7450_6F6C)))")
    }

    /// Activates `bundle` only when no version is active yet (what `commentd migrate` does with the default policy).
    /// Returns the version stored, or nil when one was already active.
    @discardableResult
    public func seed(_ bundle: PolicyBundle, by actor: String, on connection: PostgresConnection) async throws -> Stored? {
        let compiled = try CompiledPolicy(bundle: bundle)
        return try await connection.withTransaction { connection in
            try await Self.serialize(connection)
            if try await activeID(on: connection) != nil { return nil }
            return try await insert(compiled, by: actor, on: connection)
        }
    }

    private func insert(_ compiled: CompiledPolicy, by actor: String, on connection: PostgresConnection) async throws -> Stored {
        let bundle = compiled.bundle
        let version = compiled.version
        var files = bundle.files
        files[bundle.mainFile] = nil
        files["__main__"] = bundle.mainFile
        let json = try PostgresJSON(encoding: files)
        let row = try await connection.query(
            """
            INSERT INTO policy_versions (version, document, files, sha256, is_active, activated_by, reader_posts_per_minute,
                                         flags_to_hide, flags_per_hour, edit_window_seconds, erasure_grace_days, rejected_text_days)
            VALUES (\(version), \(bundle.document), \(json)::jsonb,
                    encode(sha256(convert_to(\(bundle.document) || \(json)::jsonb::text, 'UTF8')), 'hex'), true, \(actor),
                    \(compiled.document.readerPostsPerMinute), \(compiled.document.community.flagsToHide),
                    \(compiled.document.community.flagsPerHour), \(compiled.document.community.editWindowSeconds),
                    \(compiled.document.privacy.erasureGraceDays), \(compiled.document.privacy.rejectedTextDays))
            RETURNING id, sha256, activated_at
            """
        ).single()
        let (id, sha, at) = try row.decode((Int64, String, Date).self)
        return Stored(id: id, version: version, sha256: sha, bundle: bundle, activatedBy: actor, activatedAt: at)
    }

    /// Derives `reader_posts_per_minute` for the active version when it was stored before the column existed (migration
    /// 0006), so the reader API's burst limit is the policy's from the first start after the upgrade. Returns the
    /// limit written, or nil when there was nothing to fill in. Run by `commentd migrate`, as the tables' owner.
    @discardableResult
    public func deriveReaderLimit(on connection: PostgresConnection) async throws -> Int? {
        guard try await connection.query("SELECT 1 FROM policy_versions WHERE is_active AND reader_posts_per_minute IS NULL").first != nil,
            let stored = try await active(on: connection)
        else { return nil }
        let limit = try CompiledPolicy(bundle: stored.bundle).document.readerPostsPerMinute
        try await connection.query(
            "UPDATE policy_versions SET reader_posts_per_minute = \(limit) WHERE id = \(stored.id) AND reader_posts_per_minute IS NULL"
        )
        return limit
    }
}
