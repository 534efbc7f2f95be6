public import Foundation
public import Logging
public import PostgresLibPQ

/// Throwaway databases on the test cluster that `deploy/local/test.sh` starts.
///
/// Configuration keys (environment): `COMMENTDESK_TEST_PGHOST` (default 127.0.0.1), `COMMENTDESK_TEST_PGPORT`
/// (required: there is no test cluster without it), `COMMENTDESK_TEST_PGUSER` (default postgres).
public enum TestPostgres {
    /// A logger for tests: warnings and worse, to stderr.
    public static let logger: Logger = {
        var logger = Logger(label: "commentdesk.tests")
        logger.logLevel = .warning
        return logger
    }()

    /// Where the test cluster is. Throws with instructions when the tests were started without one.
    public static func server() throws -> (host: String, port: Int, user: String) {
        let environment = ProcessInfo.processInfo.environment
        guard let portText = environment["COMMENTDESK_TEST_PGPORT"], let port = Int(portText) else {
            throw TestSetupError(
                "COMMENTDESK_TEST_PGPORT is not set: run the tests with deploy/local/test.sh, which starts a PostgreSQL"
            )
        }
        return (environment["COMMENTDESK_TEST_PGHOST"] ?? "127.0.0.1", port, environment["COMMENTDESK_TEST_PGUSER"] ?? "postgres")
    }

    /// A configuration for `database` on the test cluster.
    public static func configuration(database: String, applicationName: String = "commentdesk-tests") throws -> PostgresConfiguration {
        let server = try server()
        return PostgresConfiguration(
            connectionString: "host=\(server.host) port=\(server.port) user=\(server.user) dbname=\(database)",
            applicationName: applicationName
        )
    }

    /// Runs `body` with a connection to the cluster's `postgres` database, for CREATE/DROP DATABASE.
    @discardableResult
    public static func withAdminConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await PostgresConnection.withConnection(configuration: configuration(database: "postgres"), logger: logger, body)
    }

    /// Creates a new database (empty, or a copy of `template`), runs `body` with its configuration, and drops it
    /// afterwards whether `body` succeeded or threw.
    public static func withDatabase<T>(
        label: String = "t",
        template: String? = nil,
        _ body: (PostgresConfiguration) async throws -> T
    ) async throws -> T {
        let name = "cdt_\(label.lowercased().filter { $0.isLetter || $0.isNumber }.prefix(20))_\(UUID().uuidString.prefix(8).lowercased())"
        try await withAdminConnection { admin in
            if let template {
                try await admin.query("CREATE DATABASE \(identifier: name) TEMPLATE \(identifier: template)")
            } else {
                try await admin.query("CREATE DATABASE \(identifier: name)")
            }
        }
        let value: T
        do {
            value = try await body(configuration(database: name))
        } catch {
            try? await drop(name)
            throw error
        }
        try await drop(name)
        return value
    }

    /// Creates `name` once, prepared by `prepare`, for use as a template. Built under a temporary name and renamed
    /// into place, so a concurrent run never sees a half-prepared template.
    public static func ensureTemplate(
        _ name: String,
        prepare: @escaping @Sendable (PostgresConfiguration) async throws -> Void
    ) async throws {
        try await TemplateBuilds.shared.build(name) { try await buildTemplate(name, prepare: prepare) }
    }

    private static func buildTemplate(
        _ name: String,
        prepare: (PostgresConfiguration) async throws -> Void
    ) async throws {
        let exists = try await withAdminConnection { admin in
            try await admin.query("SELECT 1 FROM pg_database WHERE datname = \(name)").count == 1
        }
        if exists { return }
        let building = "\(name)_build_\(UUID().uuidString.prefix(8).lowercased())"
        try await withAdminConnection { try await $0.query("CREATE DATABASE \(identifier: building)") }
        do {
            try await prepare(configuration(database: building))
            try await withAdminConnection { admin in
                do {
                    try await admin.query("ALTER DATABASE \(identifier: building) RENAME TO \(identifier: name)")
                } catch let error as PostgresError where error.sqlState == SQLState("42P04") || error.sqlState == .uniqueViolation {
                    // Another process renamed its build into place first (concurrent renames can also surface as a
                    // unique violation on the catalog).
                    try await admin.query("DROP DATABASE \(identifier: building) WITH (FORCE)")
                }
            }
        } catch {
            try? await drop(building)
            throw error
        }
    }

    /// Drops `name`, disconnecting anyone still connected.
    public static func drop(_ name: String) async throws {
        try await withAdminConnection { try await $0.query("DROP DATABASE IF EXISTS \(identifier: name) WITH (FORCE)") }
    }

    /// The repository's root, found from this source file's location.
    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}

/// The tests were started without what they need.
public struct TestSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One build per template name in this process: concurrent tests await the same build.
actor TemplateBuilds {
    static let shared = TemplateBuilds()
    private var builds: [String: Task<Void, any Error>] = [:]

    func build(_ name: String, _ work: @escaping @Sendable () async throws -> Void) async throws {
        if let running = builds[name] { return try await running.value }
        let task = Task { try await work() }
        builds[name] = task
        do {
            try await task.value
        } catch {
            builds[name] = nil
            throw error
        }
    }
}
