import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real `commentd work` process, started from the build folder next to the test bundle.
public struct WorkerProcess: Sendable {
    public let id: String
    public let child: ChildProcess

    /// The folder holding the test bundle and the built executables.
    public static var productsDirectory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    /// Starts `commentd work` against `databaseURL` (a conninfo string) with `options`.
    public static func start(
        databaseURL: String, id: String = "worker-\(UUID().uuidString.prefix(6))", options: [String] = []
    ) throws -> WorkerProcess {
        let binary = productsDirectory.appendingPathComponent("commentd").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestSetupError("\(binary) is missing: build it first (swift build)")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = databaseURL
        environment["LOG_LEVEL"] = "info"
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("cdt-\(id).log").path
        let child = try ChildProcess(binary, ["work", "--worker-id", id] + options, environment: environment, logPath: log)
        return WorkerProcess(id: id, child: child)
    }

    /// SIGTERM, then the exit code (nil if it died by a signal).
    public func stop() async -> Int32? {
        child.send(SIGTERM)
        return await child.exitCode()
    }

    public func kill() async {
        child.send(SIGKILL)
        await child.wait()
    }
}

/// Polls `condition` every 100 ms until it holds; throws after `timeout`.
public func waitUntil(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    throw TestSetupError("timed out waiting for: \(what)")
}
