import Foundation
import PostgresTestSupport
import Testing

@testable import PostgresLibPQ

/// A failed connection says why, on one line (issue 15, item 14): the log line that reports it is enough to act on.
@Suite(.timeLimit(.minutes(5)))
struct ConnectionFailureTests {
    @Test func aRefusedConnectionNamesItsCauseOnOneLine() async throws {
        let port = try freePort()
        let configuration = PostgresConfiguration(
            connectionString: "host=127.0.0.1 port=\(port) user=nobody dbname=nothing connect_timeout=2",
            applicationName: "refused"
        )
        do {
            try await PostgresConnection.withConnection(configuration: configuration, logger: TestPostgres.logger) { _ in }
            Issue.record("connected to a closed port")
        } catch let error as PostgresError {
            #expect(error.kind == .connection)
            let text = error.description
            #expect(text.hasPrefix("database connection failed: "), "\(text)")
            #expect(text.lowercased().contains("refused"), "\(text)")
            #expect(!text.contains("\n"), "\(text)")
        }
    }
}
