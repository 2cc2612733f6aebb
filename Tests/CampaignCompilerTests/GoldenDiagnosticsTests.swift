import Foundation
import Testing
@testable import CampaignCompiler

/// Every invalid fixture is rendered as text and compared with its recorded golden file
/// (`NAME.yaml` → `NAME.expected`). Re-record with `SALVO_RECORD_GOLDEN=1 swift test` and review
/// every changed golden before committing it.
@Suite struct GoldenDiagnosticsTests {
    static let fixtures = Fixtures.yamlFiles(in: "invalid").map { "invalid/" + $0 }
        + Fixtures.yamlFiles(in: "recipients").map { "recipients/" + $0 }

    /// The `# expect: ID at line L` (or `# expect-warning: …`) comment in a fixture's first lines.
    static func expectation(in text: String) -> (id: String, line: Int, warningOnly: Bool)? {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).prefix(3) {
            for (marker, warningOnly) in [("# expect: ", false), ("# expect-warning: ", true)] where line.hasPrefix(marker) {
                let words = line.dropFirst(marker.count).split(separator: " ")
                guard words.count >= 4, words[1] == "at", words[2] == "line", let number = Int(words[3]) else { continue }
                return (String(words[0]), number, warningOnly)
            }
        }
        return nil
    }

    @Test func thereAreAtLeastFortyDistinctInvalidFixtures() {
        #expect(Self.fixtures.filter { $0.hasPrefix("invalid/") }.count >= 40)
    }

    @Test(arguments: fixtures)
    func rendersAsRecorded(_ name: String) async throws {
        let path = Fixtures.folder + "/" + name
        let check = await CampaignChecker.check(path: path, options: CheckOptions(diagnosticLimit: 50))
        let report = ValidationReport(fileCount: 1, diagnostics: check.diagnostics, sources: check.sources, omitted: check.omitted,
                                      recipients: check.recipients.map { [(path, $0)] } ?? [])
        let rendered = TextReporter().render(report).replacingOccurrences(of: Fixtures.folder + "/", with: "")
        let goldenPath = String(path.dropLast(".yaml".count)) + ".expected"
        if Fixtures.recording {
            try rendered.write(toFile: goldenPath, atomically: true, encoding: .utf8)
            return
        }
        let golden = try #require(try? String(contentsOfFile: goldenPath, encoding: .utf8), "no golden \(goldenPath); record it with SALVO_RECORD_GOLDEN=1")
        #expect(rendered == golden)

        let bytes = FileManager.default.contents(atPath: path) ?? Data()
        let text = String(decoding: bytes, as: UTF8.self)
        if let expectation = Self.expectation(in: text) {
            #expect(check.diagnostics.contains { $0.id.rawValue == expectation.id && $0.location?.range.start.line == expectation.line },
                    "expected [\(expectation.id)] at line \(expectation.line)")
            if expectation.warningOnly {
                #expect(report.errorCount == 0 && report.warningCount > 0)
            } else {
                #expect(report.errorCount > 0)
            }
        } else {
            #expect(report.errorCount + report.warningCount > 0, "an invalid fixture must produce a diagnostic")
        }
        #expect(check.campaign == nil || report.errorCount == 0)
    }

    @Test func exampleCampaignsAreClean() async {
        let files = (try? CampaignValidation.campaignFiles(in: [Fixtures.packageRoot + "/campaigns"])) ?? []
        #expect(files.count >= 3)
        let report = await CampaignValidation.validate(files: files)
        #expect(report.diagnostics.isEmpty, "\(TextReporter().render(report))")
    }
}
