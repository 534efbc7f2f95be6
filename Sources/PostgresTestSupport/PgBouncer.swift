import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// PgBouncer in transaction mode in front of the test cluster, with a small server pool so that clients really share
/// server connections (Debian's `pgbouncer`, which deploy/local/test.sh installs). Stop it with ``stop()``.
public struct PgBouncer: Sendable {
    public let port: Int
    public let process: ChildProcess
    let directory: String

    /// The binary, or nil when PgBouncer is not installed.
    public static var executable: String? {
        ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts PgBouncer on a free port, `poolSize` server connections per database and user, in transaction mode.
    public static func start(poolSize: Int) async throws -> PgBouncer {
        guard let executable else { throw TestSetupError("pgbouncer is not installed (deploy/local/test.sh installs it)") }
        let server = try TestPostgres.server()
        let port = try freePort()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cdt-pgbouncer-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let users = "\(directory)/users.txt"
        try "\"\(server.user)\" \"\"\n".write(toFile: users, atomically: true, encoding: .utf8)
        let configuration = """
            [databases]
            * = host=\(server.host) port=\(server.port)

            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = \(port)
            unix_socket_dir =
            auth_type = trust
            auth_file = \(users)
            pool_mode = transaction
            default_pool_size = \(poolSize)
            max_client_conn = 1000
            ignore_startup_parameters = extra_float_digits
            log_connections = 0
            log_disconnections = 0
            """
        let file = "\(directory)/pgbouncer.ini"
        try configuration.write(toFile: file, atomically: true, encoding: .utf8)
        // PgBouncer refuses to run as root: as root it is told to become the postgres user.
        let arguments = (getuid() == 0 ? ["-u", "postgres"] : []) + [file]
        let process = try ChildProcess(executable, arguments, logPath: "\(directory).log")
        let bouncer = PgBouncer(port: port, process: process, directory: directory)
        do {
            try await waitUntil("pgbouncer listens", timeout: .seconds(20)) { isListening(port) }
        } catch {
            await bouncer.stop()
            throw TestSetupError("pgbouncer did not start: \(process.output)")
        }
        return bouncer
    }

    /// A conninfo string for `database` through PgBouncer.
    public func connectionString(database: String) throws -> String {
        "host=127.0.0.1 port=\(port) user=\(try TestPostgres.server().user) dbname=\(database)"
    }

    /// Stops PgBouncer (closing its server connections) and removes its files.
    public func stop() async {
        process.send(SIGTERM)
        _ = await process.exitCode()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
