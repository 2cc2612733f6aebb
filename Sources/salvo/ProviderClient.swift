import AliyunSMS
import ArgumentParser
import CampaignCompiler
import Foundation
import YAMLSyntax

/// Loads a campaign for a command (recipient files are not read here), printing its problems and
/// exiting 1 when it has errors; also the lines of the files diagnostics may point into.
func loadCampaign(_ path: String, access: SourceAccess) async throws -> (campaign: Campaign, sources: [String: SourceText]) {
    guard FileManager.default.fileExists(atPath: path) else {
        Terminal.standardError("salvo: error: \(path): no such file")
        throw ExitCode(64)
    }
    let check = await CampaignChecker.check(path: path, options: CheckOptions(checksRecipientFiles: false, access: access))
    guard let campaign = check.campaign else {
        Terminal.standardOutput(TextReporter(colored: Terminal.isTerminal(fileDescriptor: 1)).render(ValidationReport(fileCount: 1, diagnostics: check.diagnostics, sources: check.sources)))
        throw ExitCode(1)
    }
    return (campaign, check.sources)
}

/// A client for the campaign's provider (or `endpoint`), with credentials from the environment or
/// the credentials file; a clear error and exit 64 when they are missing.
func providerClient(for campaign: Campaign, endpoint: String?) throws -> (client: SMSClient, transport: HTTPClientTransport) {
    let credentials: Credentials
    do {
        credentials = try CredentialsLoader.load()
    } catch {
        Terminal.standardError("salvo: error: \(error)")
        throw ExitCode(64)
    }
    let parsed: Endpoint
    do {
        parsed = try Endpoint(url: endpoint ?? campaign.provider.endpoint)
    } catch {
        Terminal.standardError("salvo: error: \(error)")
        throw ExitCode(64)
    }
    let environment = ProcessInfo.processInfo.environment
    let roots = environment[TransportConfiguration.trustRootsVariable].flatMap { $0.isEmpty ? nil : $0 }
    if let roots, !FileManager.default.isReadableFile(atPath: roots) {
        Terminal.standardError("salvo: error: \(TransportConfiguration.trustRootsVariable) names '\(roots)', which cannot be read")
        throw ExitCode(64)
    }
    let transport = HTTPClientTransport(configuration: TransportConfiguration(
        maxConnections: max(campaign.sending.concurrency, 1),
        proxy: TransportConfiguration.proxy(for: parsed, environment: environment), extraTrustRoots: roots))
    let scheme: SignatureScheme = campaign.provider.signing == .v1 ? .v1 : .v3
    return (SMSClient(signer: RequestSigner(credentials: credentials, endpoint: parsed, scheme: scheme), transport: transport), transport)
}
