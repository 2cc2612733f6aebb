import ArgumentParser
import CampaignCompiler
import Foundation

/// `salvo validate`: checks campaign files without credentials or network, as pull requests do.
struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check campaign files: YAML, structure, template, parameters, schedule and recipient files.",
        discussion: """
            Takes files and folders (every *.yaml and *.yml below a folder; hidden folders are skipped). \
            Needs no credentials and no network. Exit status: 0 clean, 1 errors found (or warnings with \
            --strict), 64 usage error.
            """
    )

    @Argument(help: "Campaign files or folders to check (default: the current folder).") var paths: [String] = []
    @Option(help: "Output format: text, json, github (workflow annotations) or sarif (SARIF 2.1.0).") var format: ReportFormat = .text
    @Flag(help: "Check the campaign files alone; do not read recipient files.") var noRecipients = false
    @Flag(help: "Treat warnings as errors.") var strict = false
    @OptionGroup var sourceOptions: SourceOptions

    func run() async throws {
        let files = try await CommandFailure.failing(.usage) {
            try CampaignValidation.campaignFiles(in: paths.isEmpty ? ["."] : paths, dataFolders: sourceOptions.access.dataFolders)
        }
        // Text and annotations show the first 50 diagnostics per recipient file; JSON and SARIF
        // keep up to 1,000 of each id per file and count the rest, so memory stays bounded.
        let machine = format == .json || format == .sarif
        let options = CheckOptions(checksRecipientFiles: !noRecipients, diagnosticLimit: machine ? nil : 50,
                                   perIDLimit: machine ? JSONReporter.perIDLimit : nil, access: sourceOptions.access)
        let report = await CampaignValidation.validate(files: files, options: options)
        let environment = ProcessInfo.processInfo.environment
        let colored = format == .text && Terminal.isTerminal(fileDescriptor: 1) && environment["NO_COLOR"] == nil
        Terminal.standardOutput(format.reporter(colored: colored).render(report))
        if format == .text, environment["GITHUB_ACTIONS"] == "true" {
            Terminal.standardOutput(GitHubReporter().render(report))
        }
        if report.errorCount > 0 || (strict && report.warningCount > 0) { throw CommandFailure(.failed, nil) }
    }
}
