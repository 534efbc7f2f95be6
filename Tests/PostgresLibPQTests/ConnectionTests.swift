import Foundation
import PostgresTestSupport
import Testing

@testable import PostgresLibPQ

/// Runs `body` with one connection to a fresh database, closing it afterwards.
func withConnection<T>(label: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
    try await TestPostgres.withDatabase(label: label) { configuration in
        try await PostgresConnection.withConnection(configuration: configuration, logger: TestPostgres.logger, body)
    }
}

@Suite(.timeLimit(.minutes(2)))
struct ConnectionTests {
    @Test func sessionSettingsAreApplied() async throws {
        try await withConnection(label: "settings") { connection in
            let row = try await connection.query(
                "SELECT current_setting('TimeZone'), current_setting('client_encoding'), current_setting('application_name')"
            ).single()
            let (timeZone, encoding, application) = try row.decode((String, String, String).self)
            #expect(timeZone == "UTC")
            #expect(encoding == "UTF8")
            #expect(application == "commentdesk-tests")
        }
    }

    @Test func typedValuesRoundTrip() async throws {
        try await withConnection(label: "types") { connection in
            let id = UUID()
            let when = Date(timeIntervalSince1970: 1_795_918_081.123456)
            let json = PostgresJSON(text: #"{"a": [1, "둘"]}"#)
            let none: String? = nil
            let row = try await connection.query(
                """
                SELECT \(Int64.max)::bigint, \(Int32.min)::int, \(true)::bool, \(2.5)::float8, \(id)::uuid,
                       \(when)::timestamptz, \(json)::jsonb, \(none)::text, \("text")::text
                """
            ).single()
            let values = try row.decode((Int64, Int32, Bool, Double, UUID, Date, PostgresJSON, String?, String).self)
            #expect(values.0 == .max)
            #expect(values.1 == .min)
            #expect(values.2 == true)
            #expect(values.3 == 2.5)
            #expect(values.4 == id)
            #expect(abs(values.5.timeIntervalSince1970 - when.timeIntervalSince1970) < 0.0000005)
            struct Shape: Decodable, Equatable { var a: [Value] }
            enum Value: Decodable, Equatable {
                case number(Int)
                case text(String)
                init(from decoder: any Decoder) throws {
                    let container = try decoder.singleValueContainer()
                    if let number = try? container.decode(Int.self) {
                        self = .number(number)
                    } else {
                        self = .text(try container.decode(String.self))
                    }
                }
            }
            #expect(try values.6.decode(Shape.self) == Shape(a: [.number(1), .text("둘")]))
            #expect(values.7 == nil)
            #expect(values.8 == "text")
        }
    }

    @Test func arraysTravelAsParametersForUnnest() async throws {
        try await withConnection(label: "arrays") { connection in
            let names = ["plain", "with space", "comma,inside", "quote\"inside", "back\\slash", "NULL", "", "한글 😀"]
            let ids: [Int64] = Array(1...Int64(names.count))
            let rows = try await connection.query(
                "SELECT n, id FROM unnest(\(names)::text[], \(ids)::bigint[]) AS u(n, id) ORDER BY id"
            )
            #expect(try rows.map { try $0.decode(String.self, at: 0) } == names)
            let back = try await connection.query("SELECT \(names)::text[], \(ids)::bigint[]").single()
            #expect(try back.decode([String].self, at: 0) == names)
            #expect(try back.decode([Int64].self, at: 1) == ids)
        }
    }

    @Test(arguments: [
        "'); DROP TABLE notes; --",
        "' OR '1'='1",
        "$1",
        "\\'; SELECT pg_sleep(10); --",
        "Robert'); DELETE FROM notes WHERE ('1'='1",
    ])
    func injectionAttemptsStayData(hostile: String) async throws {
        try await withConnection(label: "inject") { connection in
            try await connection.query("CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)")
            try await connection.query("INSERT INTO notes (body) VALUES ('keep me')")
            try await connection.query("INSERT INTO notes (body) VALUES (\(hostile))")
            let rows = try await connection.query("SELECT body FROM notes WHERE body = \(hostile)")
            #expect(try rows.single().decode(String.self, at: 0) == hostile)
            let count = try await connection.query("SELECT count(*) FROM notes").single().decode(Int.self, at: 0)
            #expect(count == 2)
        }
    }

    @Test func constraintViolationsCarrySQLState() async throws {
        try await withConnection(label: "sqlstate") { connection in
            try await connection.query("CREATE TABLE people (email text CONSTRAINT people_email_key UNIQUE, age int CHECK (age >= 0))")
            try await connection.query("INSERT INTO people VALUES (\("secret@example.com"), 30)")
            let duplicate = await #expect(throws: PostgresError.self) {
                try await connection.query("INSERT INTO people VALUES (\("secret@example.com"), 31)")
            }
            #expect(duplicate?.kind == .server)
            #expect(duplicate?.sqlState == .uniqueViolation)
            #expect(duplicate?.constraintName == "people_email_key")
            #expect(duplicate?.tableName == "people")
            #expect(duplicate.map { !$0.description.contains("secret") } == true)
            #expect(duplicate?.isConnectionLost == false)

            let negative = await #expect(throws: PostgresError.self) {
                try await connection.query("INSERT INTO people VALUES (\("b@example.com"), \(-1))")
            }
            #expect(negative?.sqlState == .checkViolation)

            let syntax = await #expect(throws: PostgresError.self) { try await connection.query("SELEC 1") }
            #expect(syntax?.sqlState == SQLState("42601"))
            // The connection is still usable after errors.
            #expect(try await connection.query("SELECT count(*) FROM people").single().decode(Int.self, at: 0) == 1)
        }
    }

    @Test func nulBytesGiveAClearErrorAndWriteNothing() async throws {
        try await withConnection(label: "nul") { connection in
            try await connection.query("CREATE TABLE notes (body text)")
            let error = await #expect(throws: PostgresError.self) {
                try await connection.query("INSERT INTO notes VALUES (\("before\u{0}after"))")
            }
            #expect(error?.kind == .invalidParameter)
            #expect(error?.description.contains("NUL") == true)
            let arrayError = await #expect(throws: PostgresError.self) {
                try await connection.query("SELECT \(["ok", "bad\u{0}"])::text[]")
            }
            #expect(arrayError?.kind == .invalidParameter)
            #expect(try await connection.query("SELECT count(*) FROM notes").single().decode(Int.self, at: 0) == 0)
        }
    }

    @Test(arguments: [
        "한국어 댓글입니다",
        "ㅋㅋㅋ ㅅㅂ ㅠㅠ",
        "👨‍👩‍👧‍👦 family, 🇰🇷 flag, 👍🏽",
        "e\u{301}\u{1100}\u{1161}\u{11A8}",  // NFD: é and 각 decomposed; must come back byte for byte
        "Zalgo: Z\u{0351}\u{034A}\u{0342}a\u{0310}\u{0300}",
        "line\r\nbreak\ttab",
        String(repeating: "가", count: 10_000),
    ])
    func unicodeRoundTripsExactly(text: String) async throws {
        try await withConnection(label: "unicode") { connection in
            let back = try await connection.query("SELECT \(text)::text").single().decode(String.self, at: 0)
            #expect(Array(back.unicodeScalars) == Array(text.unicodeScalars))
            let length = try await connection.query("SELECT octet_length(\(text)::text)").single().decode(Int.self, at: 0)
            #expect(length == text.utf8.count)
        }
    }

    @Test func decodingErrorsNameTheColumn() async throws {
        try await withConnection(label: "decode") { connection in
            let row = try await connection.query("SELECT 'abc'::text AS word, NULL::int AS nothing").single()
            let notANumber = #expect(throws: PostgresError.self) { try row.decode(Int.self, column: "word") }
            #expect(notANumber?.kind == .decoding)
            #expect(notANumber?.message.contains("word") == true)
            let null = #expect(throws: PostgresError.self) { try row.decode(Int.self, column: "nothing") }
            #expect(null?.message.contains("NULL") == true)
            #expect(try row.decode(Int?.self, column: "nothing") == nil)
            #expect(throws: PostgresError.self) { try row.decode(Int.self, column: "missing") }
        }
    }

    @Test func multiStatementScriptsRunWithoutParameters() async throws {
        try await withConnection(label: "script") { connection in
            let rows = try await connection.query(
                SQLQuery(unsafeSQL: "CREATE TABLE a (x int); INSERT INTO a VALUES (1), (2); SELECT sum(x) FROM a;")
            )
            #expect(try rows.single().decode(Int.self, at: 0) == 3)
        }
    }

    @Test func failedConnectionsThrowConnectionErrors() async throws {
        let port = try freePort()
        let configuration = PostgresConfiguration(connectionString: "host=127.0.0.1 port=\(port) user=postgres connect_timeout=2")
        let error = await #expect(throws: PostgresError.self) {
            _ = try await PostgresConnection.connect(configuration: configuration, logger: TestPostgres.logger)
        }
        #expect(error?.kind == .connection)
        #expect(error?.isConnectionLost == true)
    }
}
