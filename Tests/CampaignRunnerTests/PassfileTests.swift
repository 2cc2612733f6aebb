import Foundation
import PostgresStore
import Testing

/// `~/.pgpass` and `PGPASSFILE` as libpq reads them, the order in which a password is found (the
/// URL, `PGPASSWORD`, the password file), and how a state URL is shown.
@Suite struct PassfileTests {
    static func scratch() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-pgpass-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    static func write(_ text: String, to path: String, mode: Int = 0o600) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    // MARK: - The file's lines

    @Test func theFirstMatchingLineWins() {
        let file = PostgresPassfile(text: """
            # a comment: db.example.com:5432:salvo:ops:commented
            db.example.com:5432:salvo:ops:first
            db.example.com:5432:salvo:ops:second
            *:*:*:ops:any-host
            """)
        #expect(file.password(host: "db.example.com", port: 5432, database: "salvo", user: "ops") == "first")
        #expect(file.password(host: "other.example.com", port: 6432, database: "x", user: "ops") == "any-host")
        #expect(file.password(host: "db.example.com", port: 5432, database: "salvo", user: "stranger") == nil)
    }

    @Test func eachFieldMustMatchUnlessItIsAStar() {
        let file = PostgresPassfile(text: "db:5432:salvo:ops:exact\n*:6432:salvo:ops:port\ndb:*:other:ops:database\ndb:*:*:*:user\n")
        #expect(file.password(host: "db", port: 5432, database: "salvo", user: "ops") == "exact")
        #expect(file.password(host: "elsewhere", port: 6432, database: "salvo", user: "ops") == "port")
        #expect(file.password(host: "db", port: 7000, database: "other", user: "ops") == "database")
        #expect(file.password(host: "db", port: 7000, database: "third", user: "anyone") == "user")
        #expect(file.password(host: "elsewhere", port: 5432, database: "salvo", user: "ops") == nil)
    }

    @Test func backslashEscapesAColonABackslashOrAStar() {
        let file = PostgresPassfile(text: #"""
            fe80\:\:1:5432:salvo:ops:in-an-ipv6-host
            db:5432:sal\\vo:ops:in-a-database
            db:5432:salvo:o\*:literal-star
            db:5432:salvo:ops:pa\:ss\\word
            db:5432:salvo:trailing:ends-with\
            db:5432:salvo:cut:before:after
            """#)
        #expect(file.password(host: "fe80::1", port: 5432, database: "salvo", user: "ops") == "in-an-ipv6-host")
        #expect(file.password(host: "db", port: 5432, database: #"sal\vo"#, user: "ops") == "in-a-database")
        #expect(file.password(host: "db", port: 5432, database: "salvo", user: "o*") == "literal-star")
        #expect(file.password(host: "db", port: 5432, database: "salvo", user: "other") == nil, #"\* is no wildcard"#)
        #expect(file.password(host: "db", port: 5432, database: "salvo", user: "ops") == #"pa:ss\word"#)
        #expect(file.password(host: "db", port: 5432, database: "salvo", user: "trailing") == #"ends-with\"#)
        #expect(file.password(host: "db", port: 5432, database: "salvo", user: "cut") == "before", "as libpq, the password ends at an unescaped colon")
    }

    @Test func shortLinesEmptyPasswordsAndCarriageReturnsAreHandledAsLibpqDoes() {
        let file = PostgresPassfile(text: "db:5432:salvo\r\ndb:5432:salvo:empty:\r\ndb:5432:salvo:ops:crlf\r\n")
        #expect(file.entries.count == 2, "a line of fewer than five fields is skipped")
        #expect(file.password(host: "db", port: 5432, database: "salvo", user: "empty") == nil)
        #expect(file.password(host: "db", port: 5432, database: "salvo", user: "ops") == "crlf")
    }

    // MARK: - Reading the file

    @Test func aFileOthersCanReadIsIgnoredWithAWarning() throws {
        let folder = try Self.scratch()
        let path = folder + "/pgpass"
        try Self.write("*:*:*:*:from-file\n", to: path, mode: 0o644)
        let loose = PostgresPassfile.load(path: path)
        #expect(loose.passfile == nil)
        #expect(loose.warning?.contains("group or world access") == true && loose.warning?.contains("chmod 600") == true)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        let tight = PostgresPassfile.load(path: path)
        #expect(tight.warning == nil && tight.passfile?.entries.count == 1)
        let missing = PostgresPassfile.load(path: folder + "/none")
        #expect(missing.warning == nil && missing.passfile == nil, "no file is no warning")
        #expect(PostgresPassfile.path(environment: ["PGPASSFILE": path, "HOME": "/home/x"]) == path)
        #expect(PostgresPassfile.path(environment: ["HOME": "/home/x"]) == "/home/x/.pgpass")
    }

    @Test func aPasswordIsTakenFromTheURLThenPGPASSWORDThenThePasswordFile() throws {
        let folder = try Self.scratch()
        try Self.write("db:5432:salvo:ops:from-home\n", to: folder + "/.pgpass")
        try Self.write("db:5432:salvo:ops:from-pgpassfile\n", to: folder + "/named")
        let home = ["HOME": folder]
        let url = "postgres://ops@db/salvo"

        let fromHome = try PostgresLocation(url: url, environment: home)
        #expect(fromHome.password == "from-home" && fromHome.passwordSource == .passfile)
        let fromNamed = try PostgresLocation(url: url, environment: home.merging(["PGPASSFILE": folder + "/named"]) { _, new in new })
        #expect(fromNamed.password == "from-pgpassfile")
        let fromEnvironment = try PostgresLocation(url: url, environment: home.merging(["PGPASSWORD": "from-env"]) { _, new in new })
        #expect(fromEnvironment.password == "from-env" && fromEnvironment.passwordSource == .environment)
        let fromURL = try PostgresLocation(url: "postgres://ops:from-url@db/salvo", environment: home.merging(["PGPASSWORD": "from-env"]) { _, new in new })
        #expect(fromURL.password == "from-url" && fromURL.passwordSource == .url)
        let noMatch = try PostgresLocation(url: "postgres://ops@db/other", environment: home)
        #expect(noMatch.password == nil && noMatch.passwordSource == nil)

        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: folder + "/.pgpass")
        let loose = try PostgresLocation(url: url, environment: home)
        #expect(loose.password == nil, "a file others can read is ignored")
        #expect(loose.notices.count == 1 && loose.notices.first?.contains("group or world access") == true)
    }

    // MARK: - How a URL is shown

    @Test func aURLIsShownWithAMaskOnlyWhereItHeldAPassword() throws {
        let folder = try Self.scratch()
        try Self.write("*:*:*:*:from-file\n", to: folder + "/.pgpass")
        let plain = try PostgresLocation(url: "postgres://user@host/db", environment: [:])
        #expect(plain.description == "postgres://user@host/db")
        let environment = try PostgresLocation(url: "postgres://user@host/db", environment: ["PGPASSWORD": "hidden-env"])
        #expect(environment.description == "postgres://user@host/db")
        let file = try PostgresLocation(url: "postgres://user@host/db", environment: ["HOME": folder])
        #expect(file.password == "from-file" && file.description == "postgres://user@host/db")
        let written = try PostgresLocation(url: "postgres://user:hidden-url@host:6432/db", environment: [:])
        #expect(written.description == "postgres://user:***@host:6432/db")
        for location in [plain, environment, file, written] {
            #expect(!location.description.contains("hidden") && !location.description.contains("from-file"))
        }
    }
}
