import Foundation
import Testing

/// Smaller findings of issue 22: `report --help` names every format, and the README describes
/// what is printed and stands on its own.
@Suite struct SmallFindingsTests {
    @Test func reportHelpNamesEveryFormat() throws {
        let help = try SalvoProcess.run(["report", "--help"])
        #expect(help.status == 0)
        for format in ["csv", "json", "html"] {
            #expect(help.stdout.contains(format), "\(format) missing from: \(help.stdout)")
        }
        #expect(help.stdout.contains("values: csv, json, html"), "\(help.stdout)")
    }

    @Test(arguments: [["emulator", "--port", "70000"], ["receipts", "serve", "--port", "99999"]])
    func aPortOutsideTheTCPRangeIsAUsageError(arguments: [String]) throws {
        let outcome = try SalvoProcess.run(arguments, environment: ["ALIBABA_CLOUD_ACCESS_KEY_ID": "id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "secret"], seconds: 30)
        #expect(outcome.status == 64, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("--port is a TCP port, 0 to 65535"), "\(outcome.stderr)")
        #expect(!outcome.stdout.contains("listening on"))
    }

    @Test func theReadmeLinksNothingOutsideTheProject() throws {
        let readme = try String(contentsOfFile: SalvoProcess.packageRoot + "/README.md", encoding: .utf8)
        #expect(!readme.contains("../shared"), "a link to a file outside the project")
        #expect(readme.range(of: #"\]\(\.\./"#, options: .regularExpression) == nil)
        #expect(readme.range(of: #"`\.\./[^`]*\.md`"#, options: .regularExpression) == nil)
    }

    @Test func theReadmeShowsOnlyLinesReceiptsServePrints() throws {
        let readme = try String(contentsOfFile: SalvoProcess.packageRoot + "/README.md", encoding: .utf8)
        #expect(!readme.contains("# console address:"), "receipts serve never prints a console address")
        // What it does print, as the README shows it.
        let server = try RunningSalvo(["receipts", "serve", "--port", "0", "--state", FileManager.default.temporaryDirectory.appendingPathComponent("salvo-readme-\(UUID().uuidString)").path],
                                      environment: ["SALVO_RECEIPTS_TOKEN": "readme-token-0123456789"])
        let first = server.firstLine()
        let output = server.stop()
        #expect(first?.hasPrefix("listening on http://127.0.0.1:") == true, "\(output)")
        #expect(readme.contains("# listening on http://127.0.0.1:8089"))
        #expect(!output.stdout.contains("console"))
    }
}
