import Foundation
import PostgresTestSupport
import Testing

/// A password in a `--state` URL, as a real process: one warning that `ps` shows it to every
/// user, with the fix; none for a URL without one or for `SALVO_STATE` (not in the process list);
/// a password file others can read is ignored with a warning. The password itself never shows.
@Suite struct StatePasswordTests {
    /// A loopback port nothing listens on: the commands fail to connect, at once.
    static var closedPort: Int { SalvoProcess.closedLoopbackPort() }

    static func warnings(_ text: String) -> Int {
        text.components(separatedBy: "other users of this machine can read in the process list").count - 1
    }

    @Test func aPasswordInTheStateURLIsWarnedAboutOnce() throws {
        let url = "postgres://salvo:pw-marker-31d2@127.0.0.1:\(Self.closedPort)/salvo?sslmode=disable"
        for command in [["status", "campaigns/order-shipped.yaml"], ["run", "campaigns/order-shipped.yaml"], ["report", "campaigns/order-shipped.yaml"]] {
            let outcome = try SalvoProcess.run(command + ["--state", url], environment: ["ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tAnyKey0000", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s"], seconds: 60)
            #expect(Self.warnings(outcome.stderr) == 1, "\(command[0]): \(outcome.stderr)")
            #expect(outcome.stderr.contains("salvo: warning: the --state URL holds a password"), "\(outcome.stderr)")
            #expect(outcome.stderr.contains("PGPASSWORD") && outcome.stderr.contains("~/.pgpass") && outcome.stderr.contains("PGPASSFILE"), "the fix: \(outcome.stderr)")
            #expect(!outcome.all.contains("pw-marker-31d2"))
        }
    }

    @Test func noWarningWithoutAPasswordInTheCommandLine() throws {
        let port = Self.closedPort
        let plain = try SalvoProcess.run(["status", "campaigns/order-shipped.yaml", "--state", "postgres://salvo@127.0.0.1:\(port)/salvo?sslmode=disable"],
                                         environment: ["PGPASSWORD": "pw-marker-env"])
        #expect(Self.warnings(plain.stderr) == 0, "\(plain.stderr)")
        #expect(plain.stderr.contains("postgres://salvo@127.0.0.1:\(port)/salvo"), "shown without ***: \(plain.stderr)")
        #expect(!plain.all.contains("***") && !plain.all.contains("pw-marker-env"))
        let environment = try SalvoProcess.run(["status", "campaigns/order-shipped.yaml"],
                                               environment: ["SALVO_STATE": "postgres://salvo:pw-marker-env@127.0.0.1:\(port)/salvo?sslmode=disable"])
        #expect(Self.warnings(environment.stderr) == 0, "SALVO_STATE is not in the process list: \(environment.stderr)")
        #expect(!environment.all.contains("pw-marker-env"))
    }

    @Test func aPasswordFileOthersCanReadIsIgnoredWithOneWarning() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-pghome-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try "*:*:*:salvo:pw-marker-file\n".write(toFile: home + "/.pgpass", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: home + "/.pgpass")
        let outcome = try SalvoProcess.run(["status", "campaigns/order-shipped.yaml", "--state", "postgres://salvo@127.0.0.1:\(Self.closedPort)/salvo?sslmode=disable"],
                                           environment: ["HOME": home])
        #expect(outcome.stderr.components(separatedBy: "has group or world access").count - 1 == 1, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("chmod 600"))
        #expect(!outcome.all.contains("pw-marker-file"))
    }

    /// The throwaway cluster of `scripts/test`: a password found in `~/.pgpass` or `PGPASSFILE`
    /// logs in, and without one the login is refused with the ways to give it.
    @Test func thePasswordFileLogsInToPostgreSQL() throws {
        let server = try TestPostgres.server()
        let database = try TestPostgres.freshDatabase("pgpass")
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-pghome-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let status = ["status", "campaigns/order-shipped.yaml", "--state", database]

        let without = try SalvoProcess.run(status, environment: ["HOME": home])
        #expect(without.status == 1, "\(without.all)")
        #expect(without.stderr.contains("~/.pgpass"), "says where a password may go: \(without.stderr)")

        let line = "# the test cluster\n\(server.host):\(server.port):*:salvo:\(server.password.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ":", with: "\\:"))\n"
        try line.write(toFile: home + "/.pgpass", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: home + "/.pgpass")
        let fromHome = try SalvoProcess.run(status, environment: ["HOME": home])
        #expect(fromHome.status == 0, "\(fromHome.all)")
        #expect(!fromHome.all.contains(server.password) && !fromHome.all.contains("***"))

        let named = home + "/elsewhere"
        try FileManager.default.moveItem(atPath: home + "/.pgpass", toPath: named)
        let fromNamed = try SalvoProcess.run(status, environment: ["HOME": home, "PGPASSFILE": named])
        #expect(fromNamed.status == 0, "\(fromNamed.all)")
        #expect(Self.warnings(fromNamed.stderr) == 0 && !fromNamed.all.contains(server.password))
    }
}
