import Foundation
import SQLiteDatabase
import Testing

@Suite struct SQLiteConnectionTests {
    static func temporary() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("salvo-sqlite-\(UUID().uuidString).db").path
    }

    @Test func valuesRoundTripWithNulls() throws {
        let database = try SQLiteConnection(path: ":memory:", mode: .create)
        try database.execute("CREATE TABLE t (a TEXT, b INTEGER, c REAL)")
        try database.run("INSERT INTO t VALUES (?, ?, ?)", [.text("张伟"), .integer(42), .real(1.5)])
        try database.run("INSERT INTO t VALUES (?, ?, ?)", [.null, .integer(-1), .real(nil)])
        let rows = try database.query("SELECT a, b, c FROM t ORDER BY rowid") { ($0.text(0), $0.integer(1), $0.real(2)) }
        #expect(rows.count == 2)
        #expect(rows[0].0 == "张伟" && rows[0].1 == 42 && rows[0].2 == 1.5)
        #expect(rows[1].0 == nil && rows[1].1 == -1 && rows[1].2 == nil)
    }

    @Test func aTransactionThatThrowsLeavesNothing() throws {
        let database = try SQLiteConnection(path: ":memory:", mode: .create)
        try database.execute("CREATE TABLE t (a INTEGER UNIQUE)")
        #expect(throws: SQLiteError.self) {
            try database.transaction { () throws(SQLiteError) in
                try database.run("INSERT INTO t VALUES (1)")
                try database.run("INSERT INTO t VALUES (1)")
            }
        }
        #expect(try database.integer("SELECT COUNT(*) FROM t") == 0)
        try database.transaction { () throws(SQLiteError) in try database.run("INSERT INTO t VALUES (2)") }
        #expect(try database.integer("SELECT COUNT(*) FROM t") == 1)
    }

    @Test func aSecondStatementIsRefusedWhenOneIsAskedFor() throws {
        let database = try SQLiteConnection(path: ":memory:", mode: .create)
        let error = #expect(throws: SQLiteError.self) { try database.prepare("SELECT 1; SELECT 2", single: true) }
        #expect(error?.code == .multipleStatements)
        #expect(try database.prepare("SELECT 1; -- a comment", single: true).isReadOnly)
    }

    @Test func aFileThatIsNotADatabaseSaysSo() throws {
        let path = Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        let database = try SQLiteConnection(path: path, mode: .readOnly)
        let error = #expect(throws: SQLiteError.self) { try database.integer("SELECT COUNT(*) FROM sqlite_master") }
        #expect(error?.code == .notADatabase)
    }

    @Test func aDeadlineInterruptsAnEndlessQuery() throws {
        let database = try SQLiteConnection(path: ":memory:", mode: .create)
        database.setDeadline(seconds: 0.05)
        let statement = try database.prepare("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT COUNT(*) FROM n")
        let error = #expect(throws: SQLiteError.self) { try statement.step() }
        #expect(error?.code == .interrupted)
        #expect(database.deadlinePassed)
    }

    @Test func aMissingFileIsNotCreatedUnlessAsked() {
        let path = Self.temporary()
        #expect(throws: SQLiteError.self) { try SQLiteConnection(path: path, mode: .readWrite) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
