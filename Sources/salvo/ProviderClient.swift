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
/// (credentials, proxy, trusted authorities), with its credentials fetched now unless
/// `fetchingCredentials` is false (a dry run sends nothing and needs none): a clear error and
/// exit 64 when the chain has none or cannot be set up, before anything is planned or asked.
/// `onRefresh` hears of every time credentials are fetched.
func providerClient(for campaign: Campaign, endpoint: String?, fetchingCredentials: Bool = true,
                    onRefresh: (@Sendable (CredentialsRefresh) -> Void)? = nil) async throws -> (client: SMSClient, transport: HTTPClientTransport) {
    try await signingClient(endpoint: endpoint ?? campaign.provider.endpoint, scheme: campaign.provider.signing == .v1 ? .v1 : .v3,
                            maxConnections: max(campaign.sending.concurrency, 1), fetchingCredentials: fetchingCredentials, onRefresh: onRefresh)
}

/// A client for any Alibaba Cloud RPC endpoint (Dysmsapi, Dybaseapi), set up from the
/// environment, its credentials fetched now unless told otherwise (`credentialsFailure`).
func signingClient(endpoint: String, scheme: SignatureScheme, maxConnections: Int, fetchingCredentials: Bool = true,
                   onRefresh: (@Sendable (CredentialsRefresh) -> Void)? = nil) async throws -> (client: SMSClient, transport: HTTPClientTransport) {
    let made: (client: SMSClient, transport: HTTPClientTransport)
    do throws(SMSClientSetupError) {
        made = try SMSClient.fromEnvironment(endpoint: endpoint, scheme: scheme, maxConnections: maxConnections, onRefresh: onRefresh)
    } catch {
        throw CommandFailure(.usage, "\(error)", cause: error)
    }
    guard fetchingCredentials else { return made }
    do {
        _ = try await made.client.signer.credentialsProvider.credentials()
    } catch {
        await made.transport.shutdown()
        throw credentialsFailure(error)
    }
    await warnOfSkippedLinks(made.client.signer.credentialsProvider)
    return made
}

/// The chain's failure as the command's: nothing set up anywhere is a setup to fix (64); a place
/// that could not answer, run again later (75); a refusal (1).
func credentialsFailure(_ error: CredentialsError) -> CommandFailure {
    switch error.code {
    case .missing: CommandFailure(.usage, error.message, cause: error)
    case .unavailable: CommandFailure(.later, error.message, cause: error)
    default: CommandFailure(.failed, error.message, cause: error)
    }
}

/// Says which links of the chain were set up but failed, so that another identity is used: the
/// SDKs pass over them silently.
func warnOfSkippedLinks(_ provider: any CredentialsProvider) async {
    guard let chain = provider as? CredentialsChain else { return }
    let source = await chain.sourceName ?? "another place"
    for skipped in await chain.skipped {
        Terminal.standardError("salvo: warning: credentials: \(skipped); using \(source) instead")
    }
}
