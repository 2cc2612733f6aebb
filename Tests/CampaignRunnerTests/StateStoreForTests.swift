import CSQLite

/// Direct edits of a state file, to make the files a newer salvo would leave.
enum StateStoreForTests {
    static func setUserVersion(_ version: Int, at path: String) throws -> Bool {
        var database: OpaquePointer?
        guard sqlite3_open(path, &database) == SQLITE_OK else { return false }
        defer { sqlite3_close(database) }
        return sqlite3_exec(database, "PRAGMA user_version = \(version)", nil, nil, nil) == SQLITE_OK
    }
}
