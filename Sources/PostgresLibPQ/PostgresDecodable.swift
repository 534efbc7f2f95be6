public import Foundation

/// A Swift type that a result column can be decoded into, from PostgreSQL's text format.
public protocol PostgresDecodable: Sendable {
    /// Decodes a non-NULL value; `nil` when the text is not a valid value of this type.
    init?(postgresText: String)
    /// The value that stands for SQL NULL, or `nil` when this type cannot represent NULL (then NULL is an error).
    static var postgresNull: Self? { get }
}

extension PostgresDecodable {
    public static var postgresNull: Self? { nil }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init?(postgresText: String) {
        guard let value = Wrapped(postgresText: postgresText) else { return nil }
        self = .some(value)
    }
    public static var postgresNull: Self? { .some(.none) }
}

extension String: PostgresDecodable {
    public init?(postgresText: String) { self = postgresText }
}

extension Int: PostgresDecodable {
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Int64: PostgresDecodable {
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Int32: PostgresDecodable {
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Int16: PostgresDecodable {
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Bool: PostgresDecodable {
    public init?(postgresText: String) {
        switch postgresText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: return nil
        }
    }
}

extension Double: PostgresDecodable {
    public init?(postgresText: String) { self.init(postgresText) }
}

extension UUID: PostgresDecodable {
    public init?(postgresText: String) { self.init(uuidString: postgresText) }
}

extension Date: PostgresDecodable {
    public init?(postgresText: String) {
        guard let date = PostgresTimestamp.parse(postgresText) else { return nil }
        self = date
    }
}

extension Array: PostgresDecodable where Element: PostgresArrayElement {
    /// Decodes a one-dimensional array literal such as `{1,2,NULL}` or `{"a b","c\"d"}`.
    public init?(postgresText: String) {
        guard let items = PostgresArrayLiteral.parse(postgresText) else { return nil }
        var result: [Element] = []
        result.reserveCapacity(items.count)
        for item in items {
            if let item {
                guard let value = Element(postgresText: item) else { return nil }
                result.append(value)
            } else {
                guard let null = Element.postgresNull else { return nil }
                result.append(null)
            }
        }
        self = result
    }
}

/// Parser for one-dimensional array literals in PostgreSQL's text output.
enum PostgresArrayLiteral {
    /// The elements (nil for NULL), or nil when `text` is not a one-dimensional array literal.
    static func parse(_ text: String) -> [String?]? {
        var scalars = Substring(text).unicodeScalars[...]
        // An explicit lower bound such as "[0:2]={…}" may precede the braces.
        if scalars.first == "[" {
            guard let equals = scalars.firstIndex(of: "=") else { return nil }
            scalars = scalars[scalars.index(after: equals)...]
        }
        guard scalars.first == "{", scalars.last == "}" else { return nil }
        scalars = scalars.dropFirst().dropLast()
        if scalars.isEmpty { return [] }
        var items: [String?] = []
        var index = scalars.startIndex
        while true {
            var item = String.UnicodeScalarView()
            var quoted = false
            if index < scalars.endIndex, scalars[index] == "\"" {
                quoted = true
                index = scalars.index(after: index)
                while true {
                    guard index < scalars.endIndex else { return nil }
                    let scalar = scalars[index]
                    if scalar == "\\" {
                        index = scalars.index(after: index)
                        guard index < scalars.endIndex else { return nil }
                        item.append(scalars[index])
                    } else if scalar == "\"" {
                        index = scalars.index(after: index)
                        break
                    } else {
                        item.append(scalar)
                    }
                    index = scalars.index(after: index)
                }
            } else {
                while index < scalars.endIndex, scalars[index] != "," {
                    if scalars[index] == "{" { return nil }  // nested arrays are not supported
                    item.append(scalars[index])
                    index = scalars.index(after: index)
                }
            }
            let value = String(item)
            items.append(!quoted && value == "NULL" ? nil : value)
            if index == scalars.endIndex { break }
            guard scalars[index] == "," else { return nil }
            index = scalars.index(after: index)
        }
        return items
    }
}

/// `timestamptz` text in and out, exact to the microsecond and independent of locale and calendar settings.
enum PostgresTimestamp {
    private static let unixEpochDays = 719_468  // days from 0000-03-01 to 1970-01-01 in the civil algorithm

    /// The times this client sends, in seconds since 1970: from PostgreSQL's first `timestamptz` (4713-11-24 BC) to the
    /// last whose microseconds since 1970 fit an Int64 (in the year 294247, a little before PostgreSQL's own end).
    static let encodableSeconds: ClosedRange<Double> = -210_866_803_200...9_223_372_036_853

    /// Whether `date` is a finite time PostgreSQL can store.
    static func isEncodable(_ date: Date) -> Bool {
        encodableSeconds.contains(date.timeIntervalSince1970)
    }

    /// Formats as `YYYY-MM-DDTHH:MM:SS.ffffffZ`. A date outside ``encodableSeconds`` (which a query refuses to send, see
    /// `PostgresEncodable.postgresEncodingFailure`) is written as `infinity` or `-infinity` instead of trapping.
    static func format(_ date: Date) -> String {
        guard isEncodable(date) else { return date.timeIntervalSince1970 > 0 ? "infinity" : "-infinity" }
        let totalMicros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        var days = totalMicros / 86_400_000_000
        var micros = totalMicros % 86_400_000_000
        if micros < 0 {
            micros += 86_400_000_000
            days -= 1
        }
        let (year, month, day) = civil(fromDays: days)
        let seconds = micros / 1_000_000
        let fraction = micros % 1_000_000
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):"
            + "\(pad(seconds % 60, 2)).\(pad(fraction, 6))Z"
    }

    /// Parses PostgreSQL's ISO output (`2026-11-29 02:08:01.123456+00`, any offset, `T` or space), or `infinity`.
    static func parse(_ text: String) -> Date? {
        if text == "infinity" { return .distantFuture }
        if text == "-infinity" { return .distantPast }
        let bytes = Array(text.utf8)
        var position = 0
        func number(_ width: Int) -> Int64? {
            guard position + width <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[position..<position + width] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            position += width
            return value
        }
        func expect(_ byte: UInt8) -> Bool {
            guard position < bytes.count, bytes[position] == byte else { return false }
            position += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2) else { return nil }
        guard position < bytes.count, bytes[position] == 32 || bytes[position] == 84 else { return nil }
        position += 1
        guard let hour = number(2), expect(58), let minute = number(2), expect(58), let second = number(2) else { return nil }
        var micros: Int64 = 0
        if expect(46) {
            var digits = 0
            while position < bytes.count, bytes[position] >= 48, bytes[position] <= 57 {
                if digits < 6 { micros = micros * 10 + Int64(bytes[position] - 48) }
                digits += 1
                position += 1
            }
            guard digits > 0 else { return nil }
            if digits < 6 { for _ in digits..<6 { micros *= 10 } }
        }
        var offsetSeconds: Int64 = 0
        if expect(90) {  // Z
        } else if position < bytes.count, bytes[position] == 43 || bytes[position] == 45 {
            let sign: Int64 = bytes[position] == 45 ? -1 : 1
            position += 1
            guard let offsetHours = number(2) else { return nil }
            var offsetMinutes: Int64 = 0
            var offsetSecondsPart: Int64 = 0
            if expect(58) {
                guard let value = number(2) else { return nil }
                offsetMinutes = value
                if expect(58) {
                    guard let value = number(2) else { return nil }
                    offsetSecondsPart = value
                }
            }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60 + offsetSecondsPart)
        } else {
            return nil
        }
        guard position == bytes.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }

    /// Howard Hinnant's days-from-civil: days since 1970-01-01 of a proleptic Gregorian date.
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - Int64(unixEpochDays)
    }

    /// The inverse of ``daysFromCivil(year:month:day:)``.
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + Int64(unixEpochDays)
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// A string enum travels as its raw value: decoding refuses any other text (a status the code does not know).
extension PostgresDecodable where Self: RawRepresentable, RawValue == String {
    public init?(postgresText: String) { self.init(rawValue: postgresText) }
}
