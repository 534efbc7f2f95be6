public import Foundation

/// A Swift value that can be sent to PostgreSQL as a bind parameter, in PostgreSQL's text format.
///
/// Values only ever travel as parameters (`$n`), never pasted into SQL text: see ``SQLQuery``.
public protocol PostgresEncodable: Sendable {
    /// The text form of the value, or `nil` for SQL NULL.
    var postgresText: String? { get }
    /// Why this value cannot be sent (a date outside PostgreSQL's range, say), or nil; a query with such a parameter
    /// throws ``PostgresError/Kind/invalidParameter`` before it is sent.
    var postgresEncodingFailure: String? { get }
}

extension PostgresEncodable {
    public var postgresEncodingFailure: String? { nil }
}

extension String: PostgresEncodable {
    public var postgresText: String? { self }
}

extension Substring: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int64: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int32: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int16: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Bool: PostgresEncodable {
    public var postgresText: String? { self ? "true" : "false" }
}

extension Double: PostgresEncodable {
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return String(self)
    }
}

extension UUID: PostgresEncodable {
    public var postgresText: String? { uuidString.lowercased() }
}

extension Date: PostgresEncodable {
    /// ISO 8601 in UTC with microseconds, which is PostgreSQL's own precision.
    public var postgresText: String? { PostgresTimestamp.format(self) }

    public var postgresEncodingFailure: String? {
        PostgresTimestamp.isEncodable(self) ? nil : "a date outside PostgreSQL's timestamp range (4713 BC to 294276 AD)"
    }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresText: String? {
        switch self {
        case .none: nil
        case .some(let value): value.postgresText
        }
    }

    public var postgresEncodingFailure: String? { self?.postgresEncodingFailure }
}

/// A `json`/`jsonb` value, carried as its JSON text.
public struct PostgresJSON: PostgresEncodable, PostgresDecodable, Hashable {
    public var text: String

    public init(text: String) { self.text = text }

    /// Encodes `value` with `JSONEncoder` (keys sorted, so equal values give equal text).
    public init<T: Encodable>(encoding value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        text = String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Decodes the JSON text as `T`.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    public var postgresText: String? { text }
    public init?(postgresText: String) { text = postgresText }
}

/// An element of a one-dimensional array parameter (for `unnest($1::bigint[])` batches).
public protocol PostgresArrayElement: PostgresEncodable, PostgresDecodable {}

extension String: PostgresArrayElement {}
extension Int: PostgresArrayElement {}
extension Int64: PostgresArrayElement {}
extension Int32: PostgresArrayElement {}
extension Bool: PostgresArrayElement {}
extension Double: PostgresArrayElement {}
extension UUID: PostgresArrayElement {}
extension Date: PostgresArrayElement {}
extension Optional: PostgresArrayElement where Wrapped: PostgresArrayElement {}

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    /// The array literal `{"a","b",NULL}`: every element quoted, `"` and `\` escaped.
    public var postgresText: String? {
        var out = "{"
        for (index, element) in enumerated() {
            if index > 0 { out += "," }
            guard let text = element.postgresText else {
                out += "NULL"
                continue
            }
            out += "\""
            for character in text.unicodeScalars {
                if character == "\"" || character == "\\" { out.unicodeScalars.append("\\") }
                out.unicodeScalars.append(character)
            }
            out += "\""
        }
        return out + "}"
    }

    public var postgresEncodingFailure: String? { lazy.compactMap(\.postgresEncodingFailure).first }
}

extension StringProtocol {
    /// The length PostgreSQL's `length()` gives, and so every `CHECK (length(…) …)`: Unicode code points, not the
    /// user-perceived characters Swift's `count` gives. Validate against a CHECK with this measure.
    public var postgresLength: Int { unicodeScalars.count }
}

/// A string enum travels as its raw value.
extension PostgresEncodable where Self: RawRepresentable, RawValue == String {
    public var postgresText: String? { rawValue }
}
