import AliyunSMS
import ArgumentParser
import CampaignCompiler
import Foundation
import YAMLSyntax

/// Loads a campaign for a command (recipient files are not read here), printing its problems and
/// exiting 1 when it has errors; also the lines of the files diagnostics may point into.
func loadCampaign(_ path: String, access: SourceAccess) async throws -> (campaign: Campaign, sources: [String: SourceText]) {
    guard FileManager.default.fileExists(atPath: path) else { throw CommandFailure(.usage, "\(path): no such file") }
    let check = await CampaignChecker.check(path: path, options: CheckOptions(checksRecipientFiles: false, access: access))
    guard let campaign = check.campaign else {
        Terminal.standardOutput(TextReporter(colored: Terminal.isTerminal(fileDescriptor: 1)).render(ValidationReport(fileCount: 1, diagnostics: check.diagnostics, sources: check.sources)))
        throw CommandFailure(.failed, nil)
    }
    return (campaign, check.sources)
}

/// A client for the campaign's provider (or `endpoint`), set up from the environment
/// (credentials, proxy, trusted authorities); a clear error and exit 64 when it cannot be.
func providerClient(for campaign: Campaign, endpoint: String?) throws -> (client: SMSClient, transport: HTTPClientTransport) {
    do throws(SMSClientSetupError) {
        return try SMSClient.fromEnvironment(endpoint: endpoint ?? campaign.provider.endpoint, scheme: campaign.provider.signing == .v1 ? .v1 : .v3,
                                             maxConnections: max(campaign.sending.concurrency, 1))
    } catch {
        throw CommandFailure(.usage, "\(error)", cause: error)
    }
}
