import AliyunSMS
import ArgumentParser
import CampaignCompiler
import CampaignRunner
import Foundation
import YAMLSyntax

/// `salvo preflight`: asks the account whether each campaign's sign and template are approved and
/// are the ones the file describes, before anything is sent.
struct PreflightCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preflight",
        abstract: "Ask the account whether the campaigns' signs and templates are approved and match the files; nothing is sent.",
        discussion: """
            Takes files and folders as validate does. For each distinct sign name one GetSmsSign, for each \
            distinct template code one GetSmsTemplate (read-only calls), with credentials found as run finds them. \
            A file with validation errors is not asked about and is reported as 'campaign-invalid'. Exit status: \
            0 no error, 1 errors found or the AccessKey refused, 64 usage error, 75 the provider could not be \
            reached or throttled (run again later).
            """
    )

    @Argument(help: "Campaign files or folders to check (default: the current folder).") var paths: [String] = []
    @Option(help: "Output format: text, json, github (workflow annotations) or sarif (SARIF 2.1.0).") var format: ReportFormat = .text
    @Option(help: "Ask this endpoint instead of the campaigns' (for example the emulator's URL).") var endpoint: String?

    func run() async throws {
        HTTPClientTransport.runTasksOnEventLoops()
        let environment = ProcessInfo.processInfo.environment
        let folders = SourceAccess.dataFolders(fromEnvironment: environment[SourceAccess.dataFoldersVariable])
        let files = try await CommandFailure.failing(.usage) {
            try CampaignValidation.campaignFiles(in: paths.isEmpty ? ["."] : paths, dataFolders: folders)
        }
        var diagnostics: [Diagnostic] = []
        var sources: [String: SourceText] = [:]
        var loaded: [LoadedCampaign] = []
        for file in files {
            let check = await CampaignChecker.check(path: file, options: CheckOptions(checksRecipientFiles: false, access: SourceAccess(dataFolders: folders)))
            sources.merge(check.sources) { first, _ in first }
            if let campaign = check.campaign {
                loaded.append(LoadedCampaign(campaign, sources: check.sources))
            } else {
                let errors = check.diagnostics.filter { $0.severity == .error }.count
                diagnostics.append(.campaignInvalid(errors: errors, at: SourceLocation(file: file, range: SourceRange(at: SourcePosition(line: 1, column: 1)))))
            }
        }
        diagnostics += try await findings(loaded)
        diagnostics.sort(by: Diagnostic.fileOrder)
        let report = ValidationReport(fileCount: files.count, diagnostics: diagnostics, sources: sources)
        let colored = format == .text && Terminal.isTerminal(fileDescriptor: 1) && environment["NO_COLOR"] == nil
        Terminal.standardOutput(format.reporter(colored: colored).render(report))
        if format == .text, environment["GITHUB_ACTIONS"] == "true" {
            Terminal.standardOutput(GitHubReporter().render(report))
        }
        if report.errorCount > 0 { throw CommandFailure(.failed, nil) }
    }

    /// The preflight's findings for `campaigns`, asking each endpoint (and signing scheme) once
    /// per distinct sign and template; a failure to ask ends the command (75, or 1 for a refused key).
    private func findings(_ campaigns: [LoadedCampaign]) async throws -> [Diagnostic] {
        var groups: [(key: String, campaigns: [LoadedCampaign])] = []
        for campaign in campaigns {
            let key = (endpoint ?? campaign.campaign.provider.endpoint) + " " + campaign.campaign.provider.signing.rawValue
            if let index = groups.firstIndex(where: { $0.key == key }) {
                groups[index].campaigns.append(campaign)
            } else {
                groups.append((key, [campaign]))
            }
        }
        var diagnostics: [Diagnostic] = []
        for group in groups {
            guard let first = group.campaigns.first?.campaign else { continue }
            let (client, transport) = try await providerClient(for: first, endpoint: endpoint)
            let result = await Preflight(account: client).check(group.campaigns)
            await transport.shutdown()
            if let failure = result.unreachable { throw Self.failure(failure, client: client) }
            diagnostics += result.diagnostics
        }
        return diagnostics
    }

    /// A failure to ask as the command's failure: a refused key exits 1 naming the masked key id
    /// (as `run` does), anything else 75 (run again later).
    static func failure(_ failure: SMSFailure, client: SMSClient) -> CommandFailure {
        if let refusal = CredentialRefusal(failure, credentials: client.signer.credentials) {
            // A preflight only reads: it needs the two read-only permissions, never the sending ones.
            return CommandFailure(.failed, refusal.description(permissions: ["dysms:GetSmsSign", "dysms:GetSmsTemplate"]), cause: failure)
        }
        return CommandFailure(.later, "preflight could not ask the provider (\(failure)); nothing was checked, run it again later", cause: failure)
    }
}
