import Foundation
import Testing

/// `salvo validate` as a user runs it: a real process, its output and its exit status.
@Suite struct ValidateCommandTests {
    static let fixture = "Tests/CampaignCompilerTests/Fixtures/invalid"

    /// A scratch folder with one campaign file of the given text.
    static func campaign(_ text: String, name: String = "c.yaml") throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-validate-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        return folder
    }

    static let valid = """
        version: 1
        campaign: demo
        sign-name: 云杉商城
        template:
          code: SMS_1
          type: notification
          content: "您的订单${order}已发货"
        parameters:
          order: { type: text, value: "A1" }
        recipients:
          from:
            - csv: data/none.csv
        """

    @Test func bundledCampaignsPass() throws {
        let outcome = try SalvoProcess.run(["validate", "campaigns"])
        #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout.hasSuffix("checked 4 files: 0 errors, 0 warnings\n"))
    }

    @Test func mistakesExitOneWithTheirPlace() throws {
        let folder = try Self.campaign(Self.valid.replacingOccurrences(of: "sign-name:", with: "sign_name:"))
        let outcome = try SalvoProcess.run(["validate", "--no-recipients", "c.yaml"], in: folder)
        #expect(outcome.status == 1)
        #expect(outcome.stdout.contains("c.yaml:3:1: error: unknown key 'sign_name' in campaign file [unknown-key]"))
        #expect(outcome.stdout.contains("help: did you mean 'sign-name'?"))
        #expect(!outcome.stdout.contains("missing-key"), "the misspelled key is reported once, as unknown")
    }

    @Test func recipientsAreCheckedUnlessToldNot() throws {
        let folder = try Self.campaign(Self.valid)
        let checked = try SalvoProcess.run(["validate", "c.yaml"], in: folder)
        #expect(checked.status == 1)
        #expect(checked.stdout.contains("c.yaml:12:12: error: recipient file 'data/none.csv' does not exist [recipients-file-missing]"))
        let alone = try SalvoProcess.run(["validate", "--no-recipients", "c.yaml"], in: folder)
        #expect(alone.status == 0, "\(alone.stdout)")
    }

    @Test func strictMakesWarningsFail() throws {
        let long = String(repeating: "很长的通知内容", count: 12)
        let folder = try Self.campaign(Self.valid.replacingOccurrences(of: "您的订单${order}已发货", with: "\(long)${order}"))
        let lenient = try SalvoProcess.run(["validate", "--no-recipients", "."], in: folder)
        #expect(lenient.status == 0)
        #expect(lenient.stdout.contains("[message-segments]"))
        let strict = try SalvoProcess.run(["validate", "--no-recipients", "--strict", "."], in: folder)
        #expect(strict.status == 1)
    }

    @Test func usageErrorsExit64() throws {
        let missing = try SalvoProcess.run(["validate", "no/such/path.yaml"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("no/such/path.yaml: no such file or folder"))
        let option = try SalvoProcess.run(["validate", "--format", "xml", "campaigns"])
        #expect(option.status == 64)
        let unknown = try SalvoProcess.run(["validate", "--frobnicate"])
        #expect(unknown.status == 64)
    }

    @Test func githubFormatPrintsWorkflowCommands() throws {
        let folder = try Self.campaign(Self.valid.replacingOccurrences(of: "type: notification", with: "type: notice"))
        let outcome = try SalvoProcess.run(["validate", "--no-recipients", "--format", "github", "c.yaml"], in: folder)
        #expect(outcome.status == 1)
        #expect(outcome.stdout.hasPrefix("::error file=c.yaml,line=6,col=9,endLine=6,endColumn=15,title=salvo [invalid-value]::"))
    }

    @Test func insideGitHubActionsTextAlsoAnnotates() throws {
        let folder = try Self.campaign(Self.valid.replacingOccurrences(of: "type: notification", with: "type: notice"))
        let outcome = try SalvoProcess.run(["validate", "--no-recipients", "c.yaml"], in: folder, environment: ["GITHUB_ACTIONS": "true"])
        #expect(outcome.stdout.contains("c.yaml:6:9: error:"))
        #expect(outcome.stdout.contains("::error file=c.yaml,line=6"))
    }

    @Test func jsonFormatIsOneObject() throws {
        let outcome = try SalvoProcess.run(["validate", "--format", "json", "campaigns"])
        #expect(outcome.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        #expect(object["files"] as? Int == 4)
        #expect(object["errors"] as? Int == 0)
    }

    @Test func foldersSkipHiddenFolders() throws {
        let folder = try Self.campaign(Self.valid)
        try FileManager.default.createDirectory(atPath: folder + "/.github", withIntermediateDirectories: true)
        try "on: push\n".write(toFile: folder + "/.github/ci.yml", atomically: true, encoding: .utf8)
        let outcome = try SalvoProcess.run(["validate", "--no-recipients", "."], in: folder)
        #expect(outcome.status == 0, "\(outcome.stdout)")
        #expect(outcome.stdout.contains("checked 1 file"))
    }
}
