import CommentStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresLibPQ
import PostgresTestSupport
import StandardsPolicy
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The failover drill (issue 22): pg_auto_failover (a monitor, a primary, a synchronous secondary, from
/// `deploy/ha/ha.sh`), the real `commentd serve` and two `commentd work` on a multi-host `read-write` connection string,
/// readers posting all along; the primary's keeper and PostgreSQL are killed as a dead host would be.
@Suite("Failover drill", .serialized, .timeLimit(.minutes(8)))
struct FailoverDrillTests {
    static let script = TestPostgres.repositoryRoot.appendingPathComponent("deploy/ha/ha.sh").path

    /// Runs `deploy/ha/ha.sh` and returns what it printed on stdout.
    static func ha(_ arguments: [String]) async throws -> String {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("cdt-ha-\(UUID().uuidString.prefix(8)).out").path
        let err = out + ".err"
        defer {
            try? FileManager.default.removeItem(atPath: out)
            try? FileManager.default.removeItem(atPath: err)
        }
        let child = try ChildProcess("/bin/bash", [script] + arguments, logPath: out, errorPath: err)
        let code = await child.exitCode()
        let stderr = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
        guard code == 0 else { throw TestSetupError("ha.sh \(arguments.joined(separator: " ")) exited \(String(describing: code)): \(stderr)") }
        return child.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A base port with it and the next two free (the monitor and the two nodes), below Linux's ephemeral range
    /// (32768–60999): a port there can be taken as an outgoing connection's local port between this check and the
    /// server's bind, and PostgreSQL then listens on IPv6 alone (a CI run's monitor did, and its nodes waited for it).
    static func basePort() throws -> Int {
        for _ in 0..<50 {
            let base = Int.random(in: 12_000..<19_000)
            if !(base...(base + 2)).contains(where: isListening) { return base }
        }
        throw TestSetupError("no three free ports in a row")
    }

    /// One reader's post and what it got.
    struct Attempt: Sendable {
        var sent: ContinuousClock.Instant
        var answered: ContinuousClock.Instant?
        var status: HTTPResponse.Status?
        var id: Int64?
    }

    /// With `ha.sh quick`'s shorter failure detection; with pg_auto_failover's default timings too when
    /// `COMMENTDESK_DRILL_DEFAULT_TIMINGS=1` (a minute more of three PostgreSQL servers and four commentd processes on the
    /// machine, left out of the suite's usual run).
    @Test(arguments: ProcessInfo.processInfo.environment["COMMENTDESK_DRILL_DEFAULT_TIMINGS"] == "1" ? [false, true] : [true])
    func everyAcceptedCommentSurvivesTheLossOfThePrimary(quickDetection: Bool) async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/pg_autoctl") else {
            Issue.record("pg_auto_failover is missing (deploy/local/test.sh installs it)")
            return
        }
        let port = try Self.basePort()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cdt-ha-\(UUID().uuidString.prefix(8))").path
        let place = ["--dir", directory, "--port", String(port)]
        var children: [ChildProcess] = []
        do {
            _ = try await Self.ha(["start"] + place)
            if quickDetection { _ = try await Self.ha(["quick"] + place) }
            let url = try await Self.ha(["url"] + place)
            let environment = commentdEnvironment(databaseURL: url)
            let migrate = try spawnCommentd(["migrate"], environment: environment, logName: "ha-migrate")
            #expect(await migrate.exitCode() == 0, "\(migrate.output)")
            let database = PostgresConfiguration(connectionString: url, applicationName: "ha-drill")
            try await prepareForServe(database, migrate: false)
            let apiPort = try freePort()
            children.append(try spawnCommentd(["serve", "--port", String(apiPort)], environment: environment, logName: "ha-serve"))
            for number in 1...2 {
                children.append(
                    try spawnCommentd(
                        ["work", "--worker-id", "ha-worker-\(number)", "--lease-seconds", "5"],
                        environment: environment,
                        logName: "ha-work-\(number)"
                    )
                )
            }
            try await waitUntil("commentd serve listens") { isListening(apiPort) }
            let token = try await TestLogin.token()

            // Readers post every 50 ms until told to stop, before, during and after the failover.
            let stop = Flag()
            let posting = Task { () -> [Attempt] in
                var attempts: [Attempt] = []
                var number = 0
                while !stop.isSet {
                    number += 1
                    var attempt = Attempt(sent: .now)
                    if let response = try? await postOnce(port: apiPort, body: "drill comment \(number)", token: token) {
                        attempt.answered = .now
                        attempt.status = response.status
                        let object = (try? JSONSerialization.jsonObject(with: Data(response.text.utf8))) as? [String: Any]
                        attempt.id = (object?["id"] as? Int).map(Int64.init)
                    }
                    attempts.append(attempt)
                    try? await Task.sleep(for: .milliseconds(50))
                }
                return attempts
            }
            try await Task.sleep(for: .seconds(3))
            let old = try await Self.ha(["primary"] + place)
            let killed = ContinuousClock.now
            _ = try await Self.ha(["kill", old] + place)
            let new = try await Self.ha(["wait-failover", old] + place)
            let promoted = ContinuousClock.now
            #expect(new != old && !new.isEmpty)
            // Keep posting until the service has answered 202 for 5 seconds after the promotion.
            try await waitUntil("posts are accepted again", timeout: .seconds(120)) {
                try await postOnce(port: apiPort, body: "after the failover", token: token).status == .accepted
            }
            try await Task.sleep(for: .seconds(5))
            stop.set()
            let attempts = await posting.value

            let accepted = attempts.filter { $0.status == .accepted }.compactMap(\.id)
            // Answered before the kill (a post in flight at that moment may fail: its transaction died with the host).
            let beforeKill = attempts.filter { ($0.answered ?? .now) < killed }
            let afterKill = attempts.filter { $0.sent >= killed }
            let firstBack = afterKill.first { $0.status == .accepted }
            let lastFailure = afterKill.last { $0.status != .accepted }
            #expect(
                beforeKill.allSatisfy { $0.status == .accepted },
                "every post before the failure is accepted: \(beforeKill.map { $0.status.map { String($0.code) } ?? "none" })"
            )
            let answeredAgain = (firstBack?.sent ?? .now) - killed
            print(
                """
                failover drill (\(quickDetection ? "quick detection" : "default timings")): \(attempts.count) posts, \(accepted.count) accepted; primary \(old) killed, \(new) promoted after \
                \(promoted - killed); the API accepted posts again \(answeredAgain) after the kill\
                \(lastFailure.map { ", last refusal \($0.sent - killed) after it" } ?? "")
                """
            )
            let bound: Duration = quickDetection ? .seconds(30) : .seconds(90)
            #expect(answeredAgain < bound, "the service answers again within \(bound) of losing its primary")

            try await PostgresClient(configuration: database, logger: TestPostgres.logger).closing { db in
                // Every 202 answered before, during and after the failover exists on the new primary…
                let stored = try await db.count("SELECT count(*) FROM comments WHERE id = ANY(\(accepted)::bigint[])")
                #expect(stored == accepted.count, "accepted \(accepted.count), stored \(stored)")
                // …and is decided once, automatically, by the workers that reconnected to it.
                try await waitUntil("the workers decide every accepted comment", timeout: .seconds(120)) {
                    try await db.count(
                        "SELECT count(DISTINCT comment_id) FROM moderation_decisions WHERE source = 'automatic' AND comment_id = ANY(\(accepted)::bigint[])"
                    ) == accepted.count
                }
                let twice = try await db.count(
                    "SELECT count(*) FROM (SELECT comment_id FROM moderation_decisions WHERE source = 'automatic' GROUP BY 1 HAVING count(*) > 1) d"
                )
                #expect(twice == 0, "no comment gets two automatic decisions")
            }
            for child in children { child.send(SIGTERM) }
            for child in children { #expect(await child.exitCode() == 0, "\(child.output.suffix(2000))") }
            children = []
        } catch {
            for child in children { child.send(SIGKILL) }
            _ = try? await Self.ha(["stop"] + place)
            throw error
        }
        // `stop` leaves nothing running: each server of the set and every child it started (a monitor's logger and
        // health check worker once outlived it, in sessions of their own).
        let started = Self.serverProcesses(in: directory)
        #expect(started.count >= 3 * 4, "the three servers and their children: \(started)")
        _ = try await Self.ha(["stop"] + place)
        try await waitUntil("every server process of the set is gone", timeout: .seconds(10)) {
            started.allSatisfy { !Self.isRunning($0) }
        }
    }

    /// The set's running PostgreSQL servers (each data directory's `postmaster.pid`, while it is still that server) and
    /// their children.
    static func serverProcesses(in directory: String) -> [Int32] {
        var found: [Int32] = []
        for name in ["monitor", "node1", "node2"] {
            guard let text = try? String(contentsOfFile: "\(directory)/\(name)/postmaster.pid", encoding: .utf8),
                let pid = text.split(separator: "\n").first.flatMap({ Int32($0) }),
                let command = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8),
                command.replacingOccurrences(of: "\0", with: " ").contains("-D \(directory)/\(name) ")
            else { continue }
            found.append(pid)
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            found += entries.compactMap { Int32($0) }.filter { parent(of: $0) == pid }
        }
        return found
    }

    /// The fields of `/proc/PID/stat` after the name (`pid (name) state ppid …`; the name may hold spaces and
    /// parentheses): state first, then the parent. Nil once the process is gone.
    static func statFields(of pid: Int32) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
            return nil
        }
        return stat[stat.index(after: close)...].split(separator: " ")
    }

    static func parent(of pid: Int32) -> Int32? {
        statFields(of: pid).flatMap { $0.count > 1 ? Int32($0[1]) : nil }
    }

    /// Alive and not a zombie waiting to be reaped.
    static func isRunning(_ pid: Int32) -> Bool {
        statFields(of: pid).map { $0.first != "Z" } ?? false
    }
}

/// A flag one task sets and another polls.
final class Flag: Sendable {
    private let state = Mutex(false)
    var isSet: Bool { state.withLock { $0 } }
    func set() { state.withLock { $0 = true } }
}
