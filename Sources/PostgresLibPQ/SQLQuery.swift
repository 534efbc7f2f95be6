import Foundation

/// A SQL statement whose values are bind parameters, built by string interpolation.
///
/// Every interpolated value becomes a `$n` placeholder and travels separately from the SQL text, so a value can
/// never change the statement:
///
/// ```swift
/// let rows = try await connection.query("SELECT id FROM articles WHERE ref = \(ref)")
/// ```
///
/// There is deliberately no initializer that takes a `String` holding SQL with values pasted in: the only way to
/// run text that is not a literal is ``init(unsafeSQL:)``, whose name says what it is. Identifiers that cannot be
/// parameters (a database name in `CREATE DATABASE`) are interpolated with `\(identifier: name)`, which quotes them.
public struct SQLQuery: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The SQL text, with `$1`, `$2`, … where values go.
    public private(set) var sql: String
    /// The values in text format, `nil` for NULL; `binds[0]` is `$1`.
    public private(set) var binds: [String?]
    /// The first parameter that cannot be sent (1-based), with the reason; checked before the query runs.
    var invalidBind: (index: Int, reason: String)?

    public init(stringLiteral value: String) {
        sql = value
        binds = []
    }

    public init(stringInterpolation: StringInterpolation) {
        sql = stringInterpolation.sql
        binds = stringInterpolation.binds
        invalidBind = stringInterpolation.invalidBind
    }

    /// SQL text taken as it is, with no parameters. Only for trusted text: migration files, generated DDL.
    public init(unsafeSQL sql: String) {
        self.sql = sql
        binds = []
    }

    /// The SQL text only; values are never part of a query's description.
    public var description: String { sql }

    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var binds: [String?] = []
        var invalidBind: (index: Int, reason: String)?

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        /// Appends `$n` and binds `value` as parameter n.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            bind(value.postgresText, failure: value.postgresEncodingFailure)
        }

        /// Appends `$n` and binds `value` as parameter n, NULL when it is `nil`.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            bind(value?.postgresText ?? nil, failure: value?.postgresEncodingFailure)
        }

        private mutating func bind(_ text: String?, failure: String?) {
            binds.append(text)
            sql += "$\(binds.count)"
            if invalidBind == nil, let failure {
                invalidBind = (binds.count, failure)
            } else if invalidBind == nil, let text, text.utf8.contains(0) {
                invalidBind = (binds.count, "text contains a NUL byte, which PostgreSQL cannot store")
            }
        }

        /// Appends another query built the same way; its `$n` placeholders are renumbered to follow this one's.
        ///
        /// Literal text in a fragment must not itself contain `$` followed by a digit outside quotes (placeholders are
        /// the only such text the interpolation writes).
        public mutating func appendInterpolation(_ fragment: SQLQuery) {
            let offset = binds.count
            sql += offset == 0 ? fragment.sql : SQLQuery.renumber(fragment.sql, by: offset)
            binds += fragment.binds
            if invalidBind == nil, let invalid = fragment.invalidBind { invalidBind = (invalid.index + offset, invalid.reason) }
        }

        /// Appends a quoted identifier (`"name"`, with `"` doubled), for names that cannot be parameters.
        public mutating func appendInterpolation(identifier: String) {
            sql += "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            if invalidBind == nil, identifier.utf8.contains(0) {
                invalidBind = (0, "identifier contains a NUL byte")
            }
        }
    }

    /// `sql` with every placeholder `$n` outside quoted text replaced by `$(n + offset)`.
    static func renumber(_ sql: String, by offset: Int) -> String {
        let bytes = Array(sql.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 8)
        var index = 0
        var quote: UInt8?
        func isIdentifierByte(_ byte: UInt8) -> Bool { byte == 0x5F || (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte & 0xDF) }
        while index < bytes.count {
            let byte = bytes[index]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == 0x27 || byte == 0x22 {
                quote = byte
            } else if byte == 0x24, index + 1 < bytes.count, (0x30...0x39).contains(bytes[index + 1]),
                index == 0 || !isIdentifierByte(bytes[index - 1])
            {
                var end = index + 1
                var number = 0
                while end < bytes.count, (0x30...0x39).contains(bytes[end]) {
                    number = number * 10 + Int(bytes[end] - 0x30)
                    end += 1
                }
                out.append(contentsOf: "$\(number + offset)".utf8)
                index = end
                continue
            }
            out.append(byte)
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Throws when a parameter cannot be sent.
    func validate() throws(PostgresError) {
        if let invalidBind {
            throw PostgresError(.invalidParameter, message: "parameter $\(invalidBind.index): \(invalidBind.reason)", query: sql)
        }
    }
}
