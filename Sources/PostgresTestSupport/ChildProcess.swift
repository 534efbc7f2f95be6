public import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
public import Darwin
#endif

/// A child process started with `posix_spawn`, for tests that run, signal and kill real programs.
///
/// Foundation's `Process` on Linux sometimes never reports a child's exit (the child stays a zombie), so this
/// waits with `waitpid` on a thread of its own. Output goes to a log file, never to a pipe someone must drain.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    public let logPath: String
    private let exit: ExitBox

    /// Starts `executable` with `arguments`; standard output and error go to `logPath` (standard error to
    /// `errorPath` instead when given).
    public init(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        logPath: String,
        errorPath: String? = nil
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        if let errorPath {
            posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for variable in env { free(variable) } }

        // The child starts with no signal blocked and every handler at its default: a test runner's thread may block
        // signals (SIGTERM among them), and a child inheriting that mask would never see the test's SIGTERM.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, env)
        guard status == 0 else { throw TestSetupError("could not start \(executable): errno \(status)") }
        self.pid = pid
        self.logPath = logPath
        exit = ExitBox()
        let exit = exit
        let child = pid
        let thread = Thread {
            var status: Int32 = 0
            while waitpid(child, &status, 0) < 0 && errno == EINTR {}
            exit.set(status)
        }
        thread.start()
    }

    /// Sends `signal` (SIGTERM, SIGKILL, SIGSTOP, SIGCONT, …).
    public func send(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the child to exit and returns its raw wait status.
    @discardableResult
    public func wait() async -> Int32 { await exit.value() }

    /// The exit code, or nil when it ended by a signal.
    public func exitCode() async -> Int32? {
        let status = await wait()
        return status & 0x7f == 0 ? (status >> 8) & 0xff : nil
    }

    /// What the child wrote so far.
    public var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}

/// The exit status, set once by the waiting thread; awaited by any number of tasks.
final class ExitBox: Sendable {
    private enum State {
        case running([CheckedContinuation<Int32, Never>])
        case exited(Int32)
    }

    private let state = Mutex<State>(.running([]))

    func set(_ status: Int32) {
        let waiters: [CheckedContinuation<Int32, Never>] = state.withLock { state in
            guard case .running(let waiters) = state else { return [] }
            state = .exited(status)
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: status) }
    }

    func value() async -> Int32 {
        await withCheckedContinuation { continuation in
            let status: Int32? = state.withLock { state in
                switch state {
                case .exited(let status): return status
                case .running(var waiters):
                    waiters.append(continuation)
                    state = .running(waiters)
                    return nil
                }
            }
            if let status { continuation.resume(returning: status) }
        }
    }
}

/// Runs a program to completion; throws with its output when it exits non-zero.
public func runProcess(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws {
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("cdt-process-\(UUID().uuidString.prefix(8)).log").path
    defer { try? FileManager.default.removeItem(atPath: log) }
    let child = try ChildProcess(executable, arguments, environment: environment, logPath: log)
    let code = await child.exitCode()
    guard code == 0 else {
        throw TestSetupError("\(executable) \(arguments.joined(separator: " ")) exited \(code.map(String.init) ?? "by a signal"): \(child.output)")
    }
}
