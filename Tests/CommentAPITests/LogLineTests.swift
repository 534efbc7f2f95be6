import CommentAPI
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import PostgresLibPQ
import PostgresTestSupport
import Synchronization
import Testing

/// Keeps every log record, for tests that read what an operator would see.
final class CapturedLogs: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var text: String
    }

    private let records = Mutex<[Record]>([])

    var all: [Record] { records.withLock { $0 } }

    func logger() -> Logger {
        Logger(label: "captured") { _ in Handler(logs: self) }
    }

    struct Handler: LogHandler {
        let logs: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            let text = "\(event.message) " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            logs.records.withLock { $0.append(Record(level: event.level, text: text)) }
        }
    }
}

/// What the API writes to its log when the database fails (issue 15, item 14): one line per event, no SQL, no reader.
@Suite("API log lines", .timeLimit(.minutes(5)))
struct LogLineTests {
    @Test func aDatabaseErrorIsOneLineWithoutSQLOrReaders() async throws {
        let logs = CapturedLogs()
        let template = try await migratedTemplate()
        try await TestPostgres.withDatabase(label: "api-logs", template: template) { configuration in
            _ = try await PostgresConnection.withConnection(configuration: configuration, logger: TestPostgres.logger) { setup in
                try await setup.query("SELECT register_article('a-1', NULL, NULL, NULL)")
            }
            // Only the API's connections carry the limit, long enough that only the lock below trips it under load.
            var settings = configuration
            settings.sessionSettings = [("statement_timeout", "2000")]
            try await PostgresClient(configuration: settings, options: .init(maxConnections: 2), logger: TestPostgres.logger).closing { db in
                let app = try await CommentAPI.application(
                    configuration: APIConfiguration(port: 0, requestReadTimeout: .seconds(120)),
                    login: TestLogin.configuration,
                    client: db,
                    logger: logs.logger()
                )
                try await app.test(.live) { client in
                    let api = APIHarness(client: client, db: db)
                    try await PostgresConnection.withConnection(configuration: configuration, logger: TestPostgres.logger) { locker in
                        try await locker.query("BEGIN")
                        try await locker.query("LOCK TABLE comments IN ACCESS EXCLUSIVE MODE")
                        let response = try await api.post(body: "private words", token: try await TestLogin.token(subject: "secret-subject-42"))
                        #expect(response.status == .serviceUnavailable)
                        try await locker.query("ROLLBACK")
                    }
                }
            }
        }
        let errors = logs.all.filter { $0.level >= .error }
        #expect(errors.count == 1, "\(errors.map(\.text))")
        for record in errors {
            #expect(!record.text.contains("\n"), "\(record.text)")
            #expect(!record.text.contains("SELECT") && !record.text.contains("post_comment"), "\(record.text)")
            #expect(!record.text.contains("secret-subject-42") && !record.text.contains("private words"), "\(record.text)")
            #expect(record.text.contains("57014"), "the SQLSTATE tells what happened: \(record.text)")
        }
    }
}
