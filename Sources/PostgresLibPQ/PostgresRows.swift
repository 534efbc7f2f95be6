/// The rows of a query result, copied out of libpq (the `PGresult` is already cleared).
public struct PostgresRows: Sendable, RandomAccessCollection {
    /// Column names in result order.
    public let columns: [String]
    /// For INSERT/UPDATE/DELETE: the number of rows affected; for SELECT, the number returned.
    public let affectedRows: Int
    /// Row-major cell values; `nil` is SQL NULL.
    let cells: [String?]
    let columnIndex: [String: Int]

    init(columns: [String], cells: [String?], affectedRows: Int) {
        self.columns = columns
        self.cells = cells
        self.affectedRows = affectedRows
        var index: [String: Int] = [:]
        for (position, name) in columns.enumerated() where index[name] == nil { index[name] = position }
        columnIndex = index
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { columns.isEmpty ? 0 : cells.count / columns.count }

    public subscript(position: Int) -> PostgresRow { PostgresRow(rows: self, index: position) }

    /// The single row of a result that must have exactly one.
    public func single() throws(PostgresError) -> PostgresRow {
        guard count == 1 else {
            throw PostgresError(.unexpectedResult, message: "expected exactly one row, got \(count)")
        }
        return self[0]
    }
}

/// One row of ``PostgresRows``; decode its columns by position or by name.
public struct PostgresRow: Sendable {
    let rows: PostgresRows
    let index: Int

    /// The raw text of a column, `nil` for NULL.
    public func text(at column: Int) -> String? { rows.cells[index * rows.columns.count + column] }

    /// Decodes the column at `column` (0-based).
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at column: Int) throws(PostgresError) -> T {
        guard column >= 0, column < rows.columns.count else {
            throw PostgresError(.decoding, message: "no column \(column) (the result has \(rows.columns.count))")
        }
        guard let text = text(at: column) else {
            guard let null = T.postgresNull else {
                throw PostgresError(.decoding, message: "column \(rows.columns[column]) is NULL, expected \(T.self)")
            }
            return null
        }
        guard let value = T(postgresText: text) else {
            throw PostgresError(.decoding, message: "column \(rows.columns[column]) is not a valid \(T.self)")
        }
        return value
    }

    /// Decodes the column named `column`.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, column: String) throws(PostgresError) -> T {
        guard let position = rows.columnIndex[column] else {
            throw PostgresError(.decoding, message: "no column named \(column)")
        }
        return try decode(T.self, at: position)
    }

    /// Decodes the leading columns as a tuple: `let (id, name) = try row.decode((Int64, String).self)`.
    public func decode<each T: PostgresDecodable>(_ types: (repeat each T).Type) throws(PostgresError) -> (repeat each T) {
        var position = 0
        func next<U: PostgresDecodable>(_ type: U.Type) throws(PostgresError) -> U {
            defer { position += 1 }
            return try decode(U.self, at: position)
        }
        return (repeat try next((each T).self))
    }
}
