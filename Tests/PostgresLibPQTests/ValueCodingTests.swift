import Foundation
import Testing

@testable import PostgresLibPQ

/// Pure tests of the text formats, no server needed.
@Suite(.timeLimit(.minutes(5)))
struct ValueCodingTests {
    @Test(arguments: [
        ("{}", [String?]()),
        ("{a,b}", ["a", "b"]),
        ("{\"a b\",\"c,d\"}", ["a b", "c,d"]),
        ("{NULL,\"NULL\"}", [nil, "NULL"]),
        ("{\"say \\\"hi\\\"\",\"back\\\\slash\"}", ["say \"hi\"", "back\\slash"]),
        ("[0:1]={x,y}", ["x", "y"]),
        ("{한국어,\"😀 이모지\"}", ["한국어", "😀 이모지"]),
    ])
    func arrayLiteralsParse(text: String, expected: [String?]) {
        #expect(PostgresArrayLiteral.parse(text) == expected)
    }

    @Test(arguments: ["", "{", "{a", "{\"a}", "{{1,2},{3,4}}", "a,b"])
    func malformedArrayLiteralsAreRejected(text: String) {
        #expect(PostgresArrayLiteral.parse(text) == nil)
    }

    @Test func arrayParametersQuoteEveryElement() {
        #expect(["a", "b\"c", "d\\e", "NULL"].postgresText == #"{"a","b\"c","d\\e","NULL"}"#)
        #expect((["x", nil] as [String?]).postgresText == #"{"x",NULL}"#)
        #expect([Int64]().postgresText == "{}")
    }

    @Test(arguments: [
        ("2026-11-29 02:08:01.123456+00", 1_795_918_081.123456),
        ("2026-11-29 11:08:01.5+09", 1_795_918_081.5),
        ("1970-01-01 00:00:00+00", 0),
        ("1969-12-31 23:59:59.999999+00", -0.000001),
        ("2000-02-29T12:00:00Z", 951_825_600),
        ("2026-11-29 02:08:01+05:30", 1_795_898_281),
    ])
    func timestampsParse(text: String, seconds: Double) throws {
        let date = try #require(PostgresTimestamp.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.0000005)
    }

    @Test(arguments: ["", "2026-11-29", "2026-13-01 00:00:00+00", "2026-11-29 02:08:01", "2026-11-29 02:08:01+0x"])
    func malformedTimestampsAreRejected(text: String) {
        #expect(PostgresTimestamp.parse(text) == nil)
    }

    @Test func timestampsRoundTripToTheMicrosecond() throws {
        for seconds in [0.0, 1_795_918_081.123456, -86_400.000001, 4_102_444_800.999999] {
            let date = Date(timeIntervalSince1970: seconds)
            let text = try #require(date.postgresText)
            let back = try #require(PostgresTimestamp.parse(text))
            #expect(abs(back.timeIntervalSince1970 - seconds) < 0.0000005, "\(text)")
        }
    }

    @Test func interpolationBindsValuesAndNeverPastesThem() {
        let hostile = "'); DROP TABLE comments; --"
        let limit = 5
        let query: SQLQuery = "SELECT * FROM t WHERE a = \(hostile) AND b < \(limit)"
        #expect(query.sql == "SELECT * FROM t WHERE a = $1 AND b < $2")
        #expect(query.binds == [hostile, "5"])
        #expect(!query.description.contains("DROP"))
    }

    @Test func fragmentsComposeWithRenumberedPlaceholders() {
        let inner: SQLQuery = "x = \(7) AND y = '$1 stays' AND z = \("한글")"
        let outer: SQLQuery = "SELECT \(1), \(2) WHERE \(inner) AND w = \(3)"
        #expect(outer.sql == "SELECT $1, $2 WHERE x = $3 AND y = '$1 stays' AND z = $4 AND w = $5")
        #expect(outer.binds == ["1", "2", "7", "한글", "3"])
        let nul: SQLQuery = "a = \("bad\u{0}")"
        let carrying: SQLQuery = "SELECT \(1) WHERE \(nul)"
        #expect(throws: PostgresError.self) { try carrying.validate() }
    }

    @Test func identifiersAreQuoted() {
        let name = "odd\"name"
        let query: SQLQuery = "CREATE DATABASE \(identifier: name)"
        #expect(query.sql == "CREATE DATABASE \"odd\"\"name\"")
        #expect(query.binds.isEmpty)
    }

    @Test func nulBytesAreCaughtBeforeSending() {
        let query: SQLQuery = "SELECT \("a\u{0}b")"
        #expect(throws: PostgresError.self) { try query.validate() }
    }

    @Test func errorDescriptionsLeakNoValuesOrSQL() {
        let error = PostgresError(
            .server,
            sqlState: .uniqueViolation,
            message: "duplicate key value violates unique constraint",
            detail: "Key (email)=(secret@example.com) already exists.",
            constraintName: "users_email_key",
            query: "INSERT INTO users (email) VALUES ($1)"
        )
        #expect(error.description == "database error (SQLSTATE 23505)")
        #expect(!error.description.contains("secret"))
        #expect(!error.description.contains("INSERT"))
        #expect(error.debugDescription.contains("users_email_key"))
    }
}
