internal import CSQLite

/// A prepared statement of a connection, finalized with the object.
public final class SQLiteStatement {
    private let statement: OpaquePointer
    /// Keeps the connection open while the statement lives (nil for the connection's own cache,
    /// which the connection outlives).
    private let connection: SQLiteConnection?
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ statement: OpaquePointer, connection: SQLiteConnection?) {
        self.statement = statement
        self.connection = connection
    }

    private func failure(_ status: Int32) -> SQLiteError {
        SQLiteConnection.error(.step, status, handle: sqlite3_db_handle(statement))
    }

    deinit {
        sqlite3_finalize(statement)
    }

    /// Whether the statement only reads.
    public var isReadOnly: Bool { sqlite3_stmt_readonly(statement) != 0 }

    /// The result's column names.
    public var columnNames: [String] {
        (0..<sqlite3_column_count(statement)).map { index in
            sqlite3_column_name(statement, index).map { String(cString: $0) } ?? "column\(index + 1)"
        }
    }

    /// The number of result columns.
    public var columnCount: Int { Int(sqlite3_column_count(statement)) }

    /// Binds `values` to the parameters, in order.
    public func bind(_ values: [SQLiteValue]) throws(SQLiteError) {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .text(let text): status = sqlite3_bind_text(statement, index, text, -1, Self.transient)
            case .integer(let number): status = sqlite3_bind_int64(statement, index, number)
            case .real(let number): status = sqlite3_bind_double(statement, index, number)
            case .null: status = sqlite3_bind_null(statement, index)
            }
            guard status == SQLITE_OK else { throw failure(status) }
        }
    }

    /// Steps once: true when a row is ready, false when the statement is done.
    public func step() throws(SQLiteError) -> Bool {
        let status = sqlite3_step(statement)
        if status == SQLITE_ROW { return true }
        if status == SQLITE_DONE { return false }
        throw failure(status)
    }

    /// Rewinds the statement and clears its bindings.
    public func reset() {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
    }

    /// A column of the current row as text (nil for NULL).
    public func text(_ column: Int) -> String? {
        guard let text = sqlite3_column_text(statement, Int32(column)) else { return nil }
        let length = Int(sqlite3_column_bytes(statement, Int32(column)))
        return String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self)
    }

    /// The UTF-8 bytes of a column of the current row (empty for NULL), for the length of `body`.
    public func withText<Result>(_ column: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        guard let text = sqlite3_column_text(statement, Int32(column)) else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        let length = Int(sqlite3_column_bytes(statement, Int32(column)))
        return body(UnsafeBufferPointer(start: text, count: length))
    }

    /// A column of the current row as an integer (0 for NULL).
    public func integer(_ column: Int) -> Int { Int(sqlite3_column_int64(statement, Int32(column))) }

    /// A column of the current row as a number (nil for NULL).
    public func real(_ column: Int) -> Double? {
        sqlite3_column_type(statement, Int32(column)) == SQLITE_NULL ? nil : sqlite3_column_double(statement, Int32(column))
    }
}
