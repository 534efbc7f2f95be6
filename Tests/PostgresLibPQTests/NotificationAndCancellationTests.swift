import Foundation
import PostgresTestSupport
import Testing

@testable import PostgresLibPQ

@Suite(.timeLimit(.minutes(2)))
struct NotificationAndCancellationTests {
    @Test func notifyReachesAListener() async throws {
        try await TestPostgres.withDatabase(label: "notify") { configuration in
            try await PostgresConnection.withConnection(configuration: configuration, logger: TestPostgres.logger) { listener in
                try await PostgresConnection.withConnection(configuration: configuration, logger: TestPostgres.logger) { sender in
                    try await listener.listen("comment_queue")
                    // Nothing sent yet: the wait ends empty after its timeout.
                    #expect(try await listener.notifications(timeout: .milliseconds(100)).isEmpty)

                    async let received = listener.notifications(timeout: .seconds(30))
                    try await Task.sleep(for: .milliseconds(100))
                    try await sender.query("SELECT pg_notify('comment_queue', \("payload 한글"))")
                    let notifications = try await received
                    #expect(notifications.map(\.payload) == ["payload 한글"])
                    #expect(notifications.first?.channel == "comment_queue")
                    #expect(notifications.first?.senderPID == sender.backendPID)

                    // Notifications that arrive while nobody waits are kept for the next wait.
                    try await sender.query("NOTIFY comment_queue, 'later'")
                    try await Task.sleep(for: .milliseconds(100))
                    #expect(try await listener.notifications(timeout: .seconds(5)).map(\.payload) == ["later"])
                }
            }
        }
    }

    @Test func cancellingTheTaskCancelsTheWait() async throws {
        try await withConnection(label: "waitcancel") { connection in
            try await connection.listen("nothing_comes")
            let waiter = Task { try await connection.notifications(timeout: .seconds(60)) }
            try await Task.sleep(for: .milliseconds(200))
            waiter.cancel()
            await #expect(throws: CancellationError.self) { _ = try await waiter.value }
            #expect(try await connection.query("SELECT 1").single().decode(Int.self, at: 0) == 1)
        }
    }

    @Test func cancellingTheTaskCancelsTheRunningQuery() async throws {
        try await TestPostgres.withDatabase(label: "cancel") { configuration in
            try await PostgresConnection.withConnection(configuration: configuration, logger: TestPostgres.logger) { connection in
                try await PostgresConnection.withConnection(configuration: configuration, logger: TestPostgres.logger) { observer in

                    let sleeper = Task { try await connection.query("SELECT pg_sleep(60)") }
                    // Wait until the server is running the query, then cancel the task.
                    var running = false
                    for _ in 0..<100 where !running {
                        try await Task.sleep(for: .milliseconds(20))
                        running =
                            try await observer.query(
                                "SELECT count(*) FROM pg_stat_activity WHERE pid = \(connection.backendPID) AND state = 'active'"
                            ).single().decode(Int.self, at: 0) == 1
                    }
                    #expect(running)
                    sleeper.cancel()
                    await #expect(throws: CancellationError.self) { _ = try await sleeper.value }

                    // The server no longer runs it, and the connection serves the next query.
                    let state = try await observer.query("SELECT state FROM pg_stat_activity WHERE pid = \(connection.backendPID)")
                        .single().decode(String.self, at: 0)
                    #expect(state == "idle")
                    #expect(try await connection.query("SELECT 42").single().decode(Int.self, at: 0) == 42)
                }
            }
        }
    }

    @Test func aTaskCancelledBeforeItsQueryNeverSendsIt() async throws {
        try await withConnection(label: "precancel") { connection in
            try await connection.query("CREATE TABLE t (x int)")
            let task = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                try await connection.query("INSERT INTO t VALUES (1)")
            }
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(try await connection.query("SELECT count(*) FROM t").single().decode(Int.self, at: 0) == 0)
        }
    }
}
