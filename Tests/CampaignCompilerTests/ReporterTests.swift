import Foundation
import Testing
@testable import CampaignCompiler
import YAMLSyntax

@Suite struct ReporterTests {
    static func sampleReport() async -> ValidationReport {
        let text = "sign_name: 云杉\ntemplate: x\n"
        let check = await CampaignChecker.check(bytes: Array(text.utf8), path: "c,1:x.yaml", options: CheckOptions(checksRecipientFiles: false))
        return ValidationReport(fileCount: 1, diagnostics: check.diagnostics, sources: check.sources)
    }

    @Test func textUnderlinesTheRangeAndEndsWithASummary() async {
        let check = await CampaignChecker.check(bytes: Array("version: 1\n名字: 张伟\n".utf8), path: "a.yaml", options: CheckOptions(checksRecipientFiles: false))
        let report = ValidationReport(fileCount: 1, diagnostics: check.diagnostics, sources: check.sources)
        let text = TextReporter().render(report)
        #expect(text.contains("a.yaml:2:1: error: unknown key '名字' in campaign file [unknown-key]\n 2 | 名字: 张伟\n   | ^~~~\n"))
        #expect(text.hasSuffix("checked 1 file: \(report.errorCount) errors, 0 warnings\n"))
        #expect(!text.contains("\u{1B}["), "no colour unless asked")
        #expect(TextReporter(colored: true).render(report).contains("\u{1B}[1;31merror\u{1B}[0m"))
    }

    @Test func jsonHasTheContractKeys() async throws {
        let output = JSONReporter().render(await Self.sampleReport())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(Set(object.keys).isSuperset(of: ["files", "errors", "warnings", "diagnostics"]))
        let first = try #require((object["diagnostics"] as? [[String: Any]])?.first)
        for key in ["severity", "id", "message", "file", "line", "column", "endLine", "endColumn", "notes"] {
            #expect(first[key] != nil, "missing \(key)")
        }
        #expect(first["id"] as? String == "unknown-key")
        #expect(first["line"] as? Int == 1)
    }

    @Test func githubAnnotationsEscapeProperties() async {
        let output = GitHubReporter().render(await Self.sampleReport())
        let first = output.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.hasPrefix("::error file=c%2C1%3Ax.yaml,line=1,col=1,endLine=1,endColumn=10,title=salvo [unknown-key]::unknown key 'sign_name'"))
        #expect(first.contains("%0Ahelp: did you mean 'sign-name'?"))
    }

    @Test func sarifNamesRulesAndRegions() async throws {
        let sample = await Self.sampleReport()
        let output = SARIFReporter().render(sample)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(object["version"] as? String == "2.1.0")
        let run = try #require((object["runs"] as? [[String: Any]])?.first)
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.count == sample.diagnostics.count)
        let rules = try #require(((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]])
        #expect(rules.contains { $0["id"] as? String == "unknown-key" })
        let uri = (((results.first?["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["artifactLocation"] as? [String: Any])?["uri"] as? String
        #expect(uri == "c%2C1%3Ax.yaml")
    }

    @Test func controlCharactersNeverReachAnyFormat() async {
        let text = "version: 1\ncampaign: \"a\\e[2Jb\\u009B\"\n"
        let check = await CampaignChecker.check(bytes: Array(text.utf8), path: "c\u{1B}[31m.yaml", options: CheckOptions(checksRecipientFiles: false))
        let report = ValidationReport(fileCount: 1, diagnostics: check.diagnostics, sources: check.sources)
        #expect(!report.diagnostics.isEmpty)
        for reporter in [TextReporter() as any DiagnosticReporter, JSONReporter(), GitHubReporter(), SARIFReporter()] {
            let rendered = reporter.render(report)
            let raw = rendered.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) }
            #expect(raw.isEmpty, "\(type(of: reporter)): \(raw.map(\.value))")
        }
        #expect(PrintableText.escape("a\u{1B}[2J\u{9B}\u{202E}") == "a\\x1B[2J\\x9B\\u{202E}")
    }
}
