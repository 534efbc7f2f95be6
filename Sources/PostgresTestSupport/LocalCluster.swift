import Foundation
public import PostgresLibPQ

/// A private PostgreSQL cluster started with `deploy/local/postgres.sh`, for tests that stop or restart the server
/// and so must not share the suite-wide cluster. Stop it with ``stop()``; its directory is removed then.
public struct LocalCluster: Sendable {
    public let directory: String
    public let port: Int

    /// Starts a new cluster on a free port in a new temporary directory.
    public static func start() async throws -> LocalCluster {
        let port = try Self.freePort()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cdt-cluster-\(UUID().uuidString.prefix(8))").path
        let cluster = LocalCluster(directory: directory, port: port)
        try await cluster.script("start")
        return cluster
    }

    /// Starts a streaming hot standby of `primary` on a free port (`postgres.sh standby`: a base backup that follows it).
    public static func startStandby(of primary: LocalCluster) async throws -> LocalCluster {
        let port = try Self.freePort()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cdt-standby-\(UUID().uuidString.prefix(8))").path
        let cluster = LocalCluster(directory: directory, port: port)
        try await cluster.script("standby", "--primary-port", String(primary.port))
        return cluster
    }

    public var configuration: PostgresConfiguration {
        PostgresConfiguration(connectionString: "host=127.0.0.1 port=\(port) user=postgres dbname=commentdesk", applicationName: "commentdesk-tests")
    }

    public func restart() async throws { try await script("restart") }

    public func stopServer() async throws { try await script("stop") }

    public func startServer() async throws { try await script("start") }

    /// Stops the server and removes its files.
    public func stop() async throws {
        try await script("stop")
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.removeItem(atPath: directory + ".initdb.log")
        try? FileManager.default.removeItem(atPath: directory + ".basebackup.log")
    }

    private func script(_ command: String, _ arguments: String...) async throws {
        let path = TestPostgres.repositoryRoot.appendingPathComponent("deploy/local/postgres.sh").path
        try await runProcess("/bin/bash", [path, command, "--dir", directory, "--port", String(port)] + arguments)
    }

    /// A TCP port on 127.0.0.1 that nothing listens on right now, below the kernel's ephemeral range: ports there are
    /// handed to client sockets and to servers bound to port 0 (the HTTP tests), which would collide.
    public static func freePort() throws -> Int {
        for _ in 0..<50 {
            let candidate = Int.random(in: 20_000..<32_000)
            if !isListening(candidate) { return candidate }
        }
        throw TestSetupError("no free port found")
    }
}

/// True when something accepts connections on 127.0.0.1:`port`. Never blocks for long: tests call it from async code,
/// and a blocking connect() to a listener whose backlog is full waits out the SYN retries (about a minute) while holding
/// one of the few threads every task in the test process shares. The connect is non-blocking and given 250 ms.
public func isListening(_ port: Int) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    if result == 0 { return true }
    guard errno == EINPROGRESS else { return false }
    var poller = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
    guard poll(&poller, 1, 250) == 1 else { return false }
    var error: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else { return false }
    return error == 0
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
public func freePort() throws -> Int { try LocalCluster.freePort() }
