#if canImport(Glibc)
import Glibc
#endif
internal import SQLiteDatabase
import YAMLSyntax

/// One query on a read-only connection, closed with the object. The query must be one statement
/// that only reads; it runs under a time limit (a progress handler interrupts it) and a heap limit,
/// so an endless recursive query ends with an error.
final class SQLiteQuery {
    private let connection: SQLiteConnection
    private let statement: SQLiteStatement
    private var row = 0
    private var done = false
    private let timeout: Double
    let columnNames: [String]

    init(path: String, query: String, timeout: Double, heapBytes: Int64) throws(RecipientSourceError) {
        do {
            connection = try SQLiteConnection(path: path, mode: .readOnly)
        } catch {
            throw RecipientSourceError(.unreadable, "cannot be opened as a SQLite database: \(error.message)")
        }
        self.timeout = timeout
        // The heap limit is the process's: a run reads its sources before it sends, and its own
        // state store needs a few MiB.
        if heapBytes > 0 { SQLiteConnection.setHardHeapLimit(bytes: heapBytes) }
        connection.setBusyTimeout(milliseconds: 5000)
        connection.setDeadline(seconds: timeout)
        do {
            // Whatever follows the first statement must be nothing but spaces and comments:
            // SQLite would otherwise ignore it silently, and the user would not know.
            statement = try connection.prepare(query, single: true)
        } catch where error.code == .multipleStatements {
            throw RecipientSourceError(.query, "query holds more than one statement; give exactly one SELECT")
        } catch {
            throw RecipientSourceError(.query, "rejects the query: \(error.message)")
        }
        guard statement.isReadOnly else { throw RecipientSourceError(.query, "query must only read (a SELECT)") }
        columnNames = statement.columnNames
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    func step() throws(RecipientSourceError) -> RecipientRow? {
        guard try advance() else { return nil }
        let count = statement.columnCount
        var fields: [String] = []
        var positions: [SourcePosition] = []
        fields.reserveCapacity(count)
        positions.reserveCapacity(count)
        for index in 0..<count {
            fields.append(statement.text(index) ?? "")
            positions.append(SourcePosition(line: row, column: index + 1))
        }
        return RecipientRow(fields: fields, positions: positions, line: row)
    }

    /// Steps to the next row and appends it to `out` as a pre-split record (see
    /// `RowRules.Format.fields`); false at the end. Text that is not UTF-8 is repaired as `step()`
    /// repairs it.
    func step(into out: inout [UInt8]) throws(RecipientSourceError) -> Bool {
        guard try advance() else { return false }
        let count = statement.columnCount
        FieldRecords.appendCount(count, to: &out)
        for index in 0..<count {
            statement.withText(index) { bytes in
                if YAMLParser.firstInvalidUTF8Byte(in: bytes) == nil {
                    FieldRecords.appendField(bytes, to: &out)
                } else {
                    Array(String(decoding: bytes, as: UTF8.self).utf8).withUnsafeBufferPointer { FieldRecords.appendField($0, to: &out) }
                }
            }
        }
        return true
    }

    private func advance() throws(RecipientSourceError) -> Bool {
        guard !done else { return false }
        let hasRow: Bool
        do {
            hasRow = try statement.step()
        } catch where error.code == .interrupted && connection.deadlinePassed {
            throw RecipientSourceError(.queryLimit, "query ran over its \(Self.seconds(timeout)) time limit; raise it with --query-timeout", at: SourcePosition(line: row + 1, column: 1))
        } catch where error.code == .noMemory {
            throw RecipientSourceError(.queryLimit, "query needed more memory than SQLite may use; simplify it or read a smaller result", at: SourcePosition(line: row + 1, column: 1))
        } catch {
            throw RecipientSourceError(.query, "failed while reading: \(error.message)", at: SourcePosition(line: row + 1, column: 1))
        }
        guard hasRow else {
            done = true
            return false
        }
        row += 1
        return true
    }
}
