import PostgresTestSupport
import Testing

@testable import PostgresLibPQ

struct Boom: Error {}

@Suite(.timeLimit(.minutes(2)))
struct TransactionTests {
    @Test func commitKeepsAndThrowRollsBack() async throws {
        try await withConnection(label: "tx") { connection in
            try await connection.query("CREATE TABLE t (x int)")
            try await connection.withTransaction { try await $0.query("INSERT INTO t VALUES (1)") }
            await #expect(throws: Boom.self) {
                try await connection.withTransaction { connection in
                    try await connection.query("INSERT INTO t VALUES (2)")
                    throw Boom()
                }
            }
            let values = try await connection.query("SELECT x FROM t ORDER BY x").map { try $0.decode(Int.self, at: 0) }
            #expect(values == [1])
            #expect(await connection.isIdle())
        }
    }

    @Test func aServerErrorInsideRollsBackEverything() async throws {
        try await withConnection(label: "txerr") { connection in
            try await connection.query("CREATE TABLE t (x int PRIMARY KEY)")
            let error = await #expect(throws: PostgresError.self) {
                try await connection.withTransaction { connection in
                    try await connection.query("INSERT INTO t VALUES (1)")
                    try await connection.query("INSERT INTO t VALUES (1)")
                }
            }
            #expect(error?.sqlState == .uniqueViolation)
            #expect(try await connection.query("SELECT count(*) FROM t").single().decode(Int.self, at: 0) == 0)
            #expect(await connection.isIdle())
        }
    }

    @Test func isolationLevelIsApplied() async throws {
        try await withConnection(label: "txiso") { connection in
            let level = try await connection.withTransaction(isolation: .serializable) { connection in
                try await connection.query("SHOW transaction_isolation").single().decode(String.self, at: 0)
            }
            #expect(level == "serializable")
        }
    }
}
