public import Foundation

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
        databaseURL: String,
        id: String = "worker-\(UUID().uuidString.prefix(6))",
        options: [String] = []
    ) throws -> WorkerProcess {
        let child = try spawnCommentd(["work", "--worker-id", id] + options, environment: ["DATABASE_URL": databaseURL], logName: id)
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

/// Starts the built `commentd` with `arguments`, the test's environment plus `environment`, and its output in
/// a log file named after `logName` in the temporary directory.
public func spawnCommentd(_ arguments: [String], environment: [String: String], logName: String) throws -> ChildProcess {
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("cdt-\(logName).log").path
    return try spawnBuilt("commentd", arguments, environment: ["LOG_LEVEL": "info"].merging(environment) { $1 }, logPath: log)
}

/// Starts the built `product` (next to the test bundle) with the test's environment plus `environment`.
func spawnBuilt(
    _ product: String,
    _ arguments: [String],
    environment: [String: String],
    logPath: String,
    errorPath: String? = nil
) throws -> ChildProcess {
    let binary = WorkerProcess.productsDirectory.appendingPathComponent(product).path
    guard FileManager.default.isExecutableFile(atPath: binary) else {
        throw TestSetupError("\(binary) is missing: build it first (swift build)")
    }
    var merged = ProcessInfo.processInfo.environment
    merged.merge(environment) { $1 }
    return try ChildProcess(binary, arguments, environment: merged, logPath: logPath, errorPath: errorPath)
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

/// What a finished command printed, and how it exited.
public struct CommandResult: Sendable {
    public var code: Int32?
    public var stdout: String
    public var stderr: String
}

/// Runs the built `modctl` with `arguments` against `databaseURL` and waits for it.
public func runModctl(_ arguments: [String], databaseURL: String, environment: [String: String] = [:]) async throws -> CommandResult {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("cdt-modctl-\(UUID().uuidString.prefix(8))").path
    defer {
        try? FileManager.default.removeItem(atPath: base + ".out")
        try? FileManager.default.removeItem(atPath: base + ".err")
    }
    let child = try spawnBuilt(
        "modctl",
        arguments,
        environment: ["DATABASE_URL": databaseURL].merging(environment) { $1 },
        logPath: base + ".out",
        errorPath: base + ".err"
    )
    let code = await child.exitCode()
    return CommandResult(
        code: code,
        stdout: (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
    )
}
