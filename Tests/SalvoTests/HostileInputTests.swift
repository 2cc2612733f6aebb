import Foundation
import Testing

/// Campaign files as an attacker writes them into a pull request, run through the built `salvo`
/// with a marker secret in the environment, as CI would hold one. Each case checks the error (its
/// id), that the command ends by itself (a hang is killed after a bound of tens of seconds and
/// fails the test; this is a hang detector, not a timing), and that no byte of the secret, of
/// /etc/passwd or of a raw escape sequence reaches any output.
@Suite struct HostileInputTests {
    static let marker = "MARKER-SECRET-4f1c9e7a"
    static let environment = [
        "ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tMarkerKeyId",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": marker,
        "CI_DEPLOY_TOKEN": marker + "-token",
        "GITHUB_ACTIONS": "true",
    ]

    static func run(_ arguments: [String], in directory: String, seconds: Double = 60, extra: [String: String] = [:]) throws -> SalvoProcess.Outcome {
        try SalvoProcess.run(arguments, in: directory, environment: environment.merging(extra) { _, new in new }, seconds: seconds)
    }

    /// A folder with a campaign whose one source is `source` (a YAML line under `from:`).
    static func campaign(source: String, parameters: String = "name: { type: name, from: name }", content: String = "${name}您好，您的订单已发货") throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-hostile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/data", withIntermediateDirectories: true)
        let text = """
            version: 1
            campaign: hostile
            sign-name: 云杉商城
            template:
              code: SMS_1
              type: notification
              content: "\(content)"
            parameters:
              \(parameters)
            recipients:
              from:
                - \(source)
            """
        try text.write(toFile: folder + "/c.yaml", atomically: true, encoding: .utf8)
        return folder
    }

    /// Nothing secret, nothing from /etc/passwd and no raw control character in the output.
    static func expectClean(_ outcome: SalvoProcess.Outcome, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!outcome.timedOut, "the command did not end by itself", sourceLocation: sourceLocation)
        #expect(!outcome.all.contains(marker), "the marker secret reached the output", sourceLocation: sourceLocation)
        #expect(!outcome.all.contains("root:"), "a line of /etc/passwd reached the output", sourceLocation: sourceLocation)
        let controls = outcome.all.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) }
        #expect(controls.isEmpty, "raw control characters in the output: \(controls.map { $0.value })", sourceLocation: sourceLocation)
    }

    static let formats = [["--format", "text"], ["--format", "json"], ["--format", "github"], ["--format", "sarif"]]

    @Test(arguments: ["/proc/self/environ", "/etc/passwd", "/etc/shadow", "../../../../../../etc/passwd"])
    func filesOutsideTheCampaignAreNotRead(path: String) throws {
        let folder = try Self.campaign(source: "csv: \(path)\n      phone: phone")
        for format in Self.formats {
            let outcome = try Self.run(["validate", "c.yaml"] + format, in: folder)
            #expect(outcome.status == 1)
            #expect(outcome.stdout.contains("recipients-path-outside"), "\(format): \(outcome.all)")
            Self.expectClean(outcome)
        }
        for command in [["plan", "c.yaml"], ["run", "c.yaml", "--state", folder + "/state", "--endpoint", "http://127.0.0.1:9"]] {
            let outcome = try Self.run(command, in: folder)
            #expect(outcome.status != 0)
            #expect(outcome.all.contains("outside the campaign's folder"), "\(command[0]): \(outcome.all)")
            Self.expectClean(outcome)
        }
    }

    @Test func aLinkInsideTheFolderIsFollowedAndRefused() throws {
        let folder = try Self.campaign(source: "csv: data/members.csv")
        try FileManager.default.createSymbolicLink(atPath: folder + "/data/members.csv", withDestinationPath: "/proc/self/environ")
        let outcome = try Self.run(["validate", "c.yaml", "--format", "github"], in: folder)
        #expect(outcome.status == 1)
        #expect(outcome.stdout.contains("recipients-path-outside"))
        Self.expectClean(outcome)
    }

    @Test func anAllowedFolderStillOpensOnlyRegularFiles() throws {
        let folder = try Self.campaign(source: "csv: /proc/self/environ")
        let proc = try Self.run(["validate", "c.yaml", "--data-dir", "/proc"], in: folder)
        #expect(proc.stdout.contains("recipients-not-a-file"), "\(proc.all)")
        Self.expectClean(proc)
        let zero = try Self.campaign(source: "csv: /dev/zero")
        let device = try Self.run(["validate", "c.yaml", "--format", "json"], in: zero, extra: ["SALVO_DATA_DIRS": "/dev"])
        #expect(device.stdout.contains("recipients-not-a-file"), "\(device.all)")
        #expect(device.stdout.contains("is a device"))
        Self.expectClean(device)
    }

    @Test func aFIFODoesNotHangTheLint() throws {
        let folder = try Self.campaign(source: "csv: data/members.csv")
        #expect(mkfifo(folder + "/data/members.csv", 0o600) == 0)
        let outcome = try Self.run(["validate", "c.yaml"], in: folder, seconds: 30)
        #expect(outcome.stdout.contains("is a FIFO, not a regular file"), "\(outcome.all)")
        Self.expectClean(outcome)
        // A campaign file that is a FIFO is refused the same way.
        #expect(mkfifo(folder + "/fifo.yaml", 0o600) == 0)
        let campaign = try Self.run(["validate", "fifo.yaml"], in: folder, seconds: 30)
        #expect(campaign.status == 1)
        #expect(campaign.stdout.contains("[file-unreadable]"))
        Self.expectClean(campaign)
    }

    @Test func aCampaignLinkedOutOfTheFolderIsNotRead() throws {
        let folder = try Self.campaign(source: "csv: data/members.csv")
        try FileManager.default.createDirectory(atPath: folder + "/campaigns", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: folder + "/campaigns/evil.yaml", withDestinationPath: "/proc/self/environ")
        let outcome = try Self.run(["validate", "campaigns"], in: folder)
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains("is a link to a file outside"))
        Self.expectClean(outcome)
    }

    @Test func aSparseFileOfZerosStopsAtTheFirstByte() throws {
        let folder = try Self.campaign(source: "csv: data/members.csv")
        let path = folder + "/data/members.csv"
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        #expect(truncate(path, 2 << 30) == 0)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for format in [["--format", "text"], ["--format", "json"]] {
            let outcome = try Self.run(["validate", "c.yaml"] + format, in: folder, seconds: 30)
            #expect(outcome.stdout.contains("recipients-nul-byte"), "\(outcome.all)")
            Self.expectClean(outcome)
        }
        let jsonl = try Self.campaign(source: "jsonl: data/members.jsonl")
        #expect(FileManager.default.createFile(atPath: jsonl + "/data/members.jsonl", contents: nil))
        #expect(truncate(jsonl + "/data/members.jsonl", 2 << 30) == 0)
        defer { try? FileManager.default.removeItem(atPath: jsonl) }
        let lines = try Self.run(["validate", "c.yaml"], in: jsonl, seconds: 30)
        #expect(lines.stdout.contains("recipients-nul-byte"), "\(lines.all)")
        Self.expectClean(lines)
    }

    @Test func aSourceOverTheSizeLimitIsRefusedUnread() throws {
        let folder = try Self.campaign(source: "csv: data/members.csv")
        try "phone,name\n13800138000,张伟\n".write(toFile: folder + "/data/members.csv", atomically: true, encoding: .utf8)
        let outcome = try Self.run(["validate", "c.yaml", "--max-source-size", "10"], in: folder)
        #expect(outcome.status == 1)
        #expect(outcome.stdout.contains("recipients-file-too-large"))
        #expect(try Self.run(["validate", "c.yaml"], in: folder).status == 0)
    }

    @Test func nulAndEscapesAreErrorsAtTheirPlace() throws {
        let folder = try Self.campaign(source: "csv: data/members.csv")
        let bytes: [UInt8] = Array("phone,name\n13800138000,张伟\n13800138001,李".utf8) + [0] + Array("娜\n".utf8)
        #expect(FileManager.default.createFile(atPath: folder + "/data/members.csv", contents: Data(bytes)))
        let nul = try Self.run(["validate", "c.yaml"], in: folder)
        #expect(nul.stdout.contains("data/members.csv:3:14: error: recipient file 'data/members.csv' holds a NUL byte here"), "\(nul.all)")
        Self.expectClean(nul)

        try "phone,name\n13800138000,张伟\n13800138001,\u{1B}]0;pwned\u{07}\u{1B}[31m李娜\n".write(toFile: folder + "/data/members.csv", atomically: true, encoding: .utf8)
        for format in Self.formats + [["--format", "text", "--strict"]] {
            let escape = try Self.run(["validate", "c.yaml"] + format, in: folder)
            #expect(escape.status == 1)
            #expect(escape.stdout.contains("recipient-value-control"), "\(format): \(escape.all)")
            Self.expectClean(escape)
        }
        let plan = try Self.run(["plan", "c.yaml"], in: folder)
        #expect(plan.status == 1)
        Self.expectClean(plan)

        // A header of escape sequences is not a header: never shown.
        try "\u{1B}[2Jphone\u{1B}[0m,name\n13800138000,张伟\n".write(toFile: folder + "/data/members.csv", atomically: true, encoding: .utf8)
        let header = try Self.run(["validate", "c.yaml"], in: folder)
        #expect(header.stdout.contains("the first line is not a CSV header (its text is not shown)"), "\(header.all)")
        Self.expectClean(header)
    }

    @Test func aQueryIsOneStatementUnderATimeLimit() throws {
        let folder = try Self.campaign(source: "sqlite: data/crm.db\n      query: \"SELECT phone, name FROM members; DROP TABLE members\"")
        let made = Process()
        made.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        made.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table members(phone text, name text)'); c.execute(\"insert into members values('13800138000','张伟')\"); c.commit()", folder + "/data/crm.db"]
        try made.run()
        made.waitUntilExit()
        #expect(made.terminationStatus == 0)
        let two = try Self.run(["validate", "c.yaml"], in: folder)
        #expect(two.stdout.contains("c.yaml:13:14: error: SQLite database 'data/crm.db' query holds more than one statement"), "\(two.all)")

        let endless = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT '138' || x AS phone, 'a' AS name FROM n ORDER BY x DESC"
        let text = try String(contentsOfFile: folder + "/c.yaml", encoding: .utf8)
            .replacingOccurrences(of: "SELECT phone, name FROM members; DROP TABLE members", with: endless)
        try text.write(toFile: folder + "/c.yaml", atomically: true, encoding: .utf8)
        let slow = try Self.run(["validate", "c.yaml", "--query-timeout", "2"], in: folder, seconds: 40)
        #expect(slow.stdout.contains("recipients-query-limit"), "\(slow.all)")
        Self.expectClean(slow)
    }

    @Test func aMillionDuplicatesKeepTheOutputBounded() throws {
        let folder = try Self.campaign(source: "csv: data/members.csv")
        var text = "phone,name\n"
        text.reserveCapacity(22_000_000)
        for _ in 0..<1_000_000 { text += "13800138000,张伟\n" }
        try text.write(toFile: folder + "/data/members.csv", atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let json = try Self.run(["validate", "c.yaml", "--format", "json"], in: folder, seconds: 120)
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["diagnostics"] as? [Any])?.count == 1_000)
        let omitted = try #require((object["omitted"] as? [[String: Any]])?.first)
        #expect(omitted["id"] as? String == "recipient-duplicate")
        #expect(omitted["count"] as? Int == 999_999 - 1_000)
        #expect(object["warnings"] as? Int == 999_999)
        #expect(json.stdout.utf8.count < 2_000_000)
        let sarif = try Self.run(["validate", "c.yaml", "--format", "sarif"], in: folder, seconds: 120)
        #expect(sarif.stdout.utf8.count < 2_000_000)
        let plain = try Self.run(["validate", "c.yaml"], in: folder, seconds: 120)
        #expect(plain.stdout.contains("999949 more in data/members.csv not shown (999949 × recipient-duplicate)"), "\(plain.stdout.suffix(400))")
    }

    @Test func theEmulatorKeepsItsSecretAndRecordPrivate() throws {
        let folder = try Self.campaign(source: "csv: data/members.csv")
        let onCommandLine = try Self.run(["emulator", "--port", "0", "--access-key-secret", Self.marker], in: folder, seconds: 20)
        #expect(onCommandLine.status == 64)
        try Self.marker.write(toFile: folder + "/secret", atomically: true, encoding: .utf8)
        let record = folder + "/record.db"
        let emulator = try RunningSalvo(["emulator", "--port", "0", "--record", record, "--access-key-secret-file", folder + "/secret"],
                                        environment: ["ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tMarkerKeyId"])
        let first = emulator.firstLine()
        let (stdout, stderr) = emulator.stop()
        #expect(first?.hasPrefix("listening on http://127.0.0.1:") == true)
        #expect(!(stdout + stderr).contains(Self.marker))
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: record)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
    }
}
