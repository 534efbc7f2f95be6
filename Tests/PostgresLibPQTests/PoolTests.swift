import Foundation
import PostgresTestSupport
import Synchronization
import Testing

@testable import PostgresLibPQ

func withPool<T>(
    label: String,
    options: PostgresClient.Options = .init(maxConnections: 3, acquireTimeout: .seconds(10)),
    _ body: (PostgresClient, PostgresConfiguration) async throws -> T
) async throws -> T {
    try await TestPostgres.withDatabase(label: label) { configuration in
        let pool = PostgresClient(configuration: configuration, options: options, logger: TestPostgres.logger)
        do {
            let value = try await body(pool, configuration)
            await pool.close()
            return value
        } catch {
            await pool.close()
            throw error
        }
    }
}

@Suite(.timeLimit(.minutes(3)))
struct PoolTests {
    @Test func thePoolNeverOpensMoreThanItsSize() async throws {
        // A generous wait for a connection: this test is about the bound, not about speed on a loaded machine.
        try await withPool(label: "bounded", options: .init(maxConnections: 2, acquireTimeout: .seconds(60))) { pool, _ in
            let pids = try await withThrowingTaskGroup(of: Int32.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        try await pool.withConnection { connection in
                            try await connection.query("SELECT pg_sleep(0.05)")
                            return connection.backendPID
                        }
                    }
                }
                return try await group.reduce(into: Set<Int32>()) { $0.insert($1) }
            }
            #expect(pids.count <= 2)
            #expect(pool.openConnections <= 2)
            let active = try await pool.query(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'commentdesk-tests' AND datname = current_database()"
            ).single().decode(Int.self, at: 0)
            #expect(active <= 2)
        }
    }

    @Test func waitersTimeOutWhenEveryConnectionIsBusy() async throws {
        try await withPool(label: "timeout", options: .init(maxConnections: 1, acquireTimeout: .milliseconds(300))) { pool, _ in
            try await pool.withConnection { _ in
                let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
                #expect(error?.kind == .poolTimeout)
            }
            // Once the connection is back, the next caller gets it.
            #expect(try await pool.query("SELECT 7").single().decode(Int.self, at: 0) == 7)
            #expect(pool.openConnections == 1)
        }
    }

    @Test func aCancelledWaiterDoesNotLeakTheConnection() async throws {
        try await withPool(label: "waitcancel", options: .init(maxConnections: 1, acquireTimeout: .seconds(30))) { pool, _ in
            let held = Mutex(false)
            try await pool.withConnection { _ in
                let waiter = Task { try await pool.query("SELECT 1") }
                try await Task.sleep(for: .milliseconds(100))
                waiter.cancel()
                await #expect(throws: CancellationError.self) { _ = try await waiter.value }
                held.withLock { $0 = true }
            }
            #expect(held.withLock { $0 })
            #expect(try await pool.query("SELECT 1").single().decode(Int.self, at: 0) == 1)
            #expect(pool.openConnections == 1)
        }
    }

    @Test func aConnectionReturnedMidTransactionIsRolledBack() async throws {
        try await withPool(label: "dirty", options: .init(maxConnections: 1)) { pool, _ in
            try await pool.query("CREATE TABLE t (x int)")
            await #expect(throws: Boom.self) {
                try await pool.withConnection { connection in
                    try await connection.query("BEGIN")
                    try await connection.query("INSERT INTO t VALUES (1)")
                    throw Boom()
                }
            }
            #expect(try await pool.query("SELECT count(*) FROM t").single().decode(Int.self, at: 0) == 0)
        }
    }

    @Test func thePoolSurvivesATerminatedBackend() async throws {
        try await withPool(label: "terminate", options: .init(maxConnections: 1)) { pool, configuration in
            let firstPID = try await pool.query("SELECT pg_backend_pid()").single().decode(Int32.self, at: 0)
            let admin = try await PostgresConnection.connect(configuration: configuration, logger: TestPostgres.logger)
            let terminated = try await admin.query("SELECT pg_terminate_backend(\(firstPID))").single().decode(Bool.self, at: 0)
            await admin.close()
            #expect(terminated)
            try await Task.sleep(for: .milliseconds(100))
            let secondPID = try await pool.query("SELECT pg_backend_pid()").single().decode(Int32.self, at: 0)
            #expect(secondPID != firstPID)
            #expect(pool.openConnections == 1)
        }
    }

    @Test func aConnectionPastItsLifetimeIsReplaced() async throws {
        try await withPool(label: "lifetime", options: .init(maxConnections: 1, maxLifetime: .seconds(3))) { pool, _ in
            let pid = { try await pool.query("SELECT pg_backend_pid()").single().decode(Int32.self, at: 0) }
            let first = try await pid()
            #expect(try await pid() == first, "a young connection is kept")
            try await Task.sleep(for: .milliseconds(3100))
            _ = try await pid()  // returned past its lifetime: closed
            #expect(try await pid() != first)
            #expect(pool.openConnections == 1)
        }
    }

    @Test func aQueryCutOffMidwayReportsLostConnection() async throws {
        try await withPool(label: "midway", options: .init(maxConnections: 2)) { pool, configuration in
            let admin = try await PostgresConnection.connect(configuration: configuration, logger: TestPostgres.logger)
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withConnection { connection in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await connection.query("SELECT pg_sleep(30)") }
                        group.addTask {
                            try await Task.sleep(for: .milliseconds(200))
                            try await admin.query("SELECT pg_terminate_backend(\(connection.backendPID))")
                        }
                        try await group.waitForAll()
                    }
                }
            }
            await admin.close()
            #expect(error?.isConnectionLost == true)
            #expect(try await pool.query("SELECT 1").single().decode(Int.self, at: 0) == 1)
        }
    }

    @Test func thePoolSurvivesAServerRestart() async throws {
        let cluster = try await LocalCluster.start()
        do {
            let pool = PostgresClient(configuration: cluster.configuration, options: .init(maxConnections: 2), logger: TestPostgres.logger)
            let before = try await pool.query("SELECT pg_backend_pid()").single().decode(Int32.self, at: 0)
            try await cluster.stopServer()
            // While the server is down, callers get a connection error, not a hang or a crash.
            let down = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
            #expect(down?.isConnectionLost == true)
            try await cluster.startServer()
            let after = try await pool.query("SELECT pg_backend_pid()").single().decode(Int32.self, at: 0)
            #expect(after != before)
            await pool.close()
            try await cluster.stop()
        } catch {
            try? await cluster.stop()
            throw error
        }
    }
}
