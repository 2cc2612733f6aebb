import Foundation

extension SMSClient {
    /// A client for `endpoint` set up as a run sends: credentials from the chain the environment
    /// gives (`CredentialsLoader.provider`; `onRefresh` hears of every fetch), the proxy it names for the endpoint, the
    /// extra trusted authorities `SALVO_CA_FILE` names, and `maxConnections` connections. Checked
    /// in that order, before anything is sent; call `transport.shutdown()` when done.
    public static func fromEnvironment(endpoint: String, scheme: SignatureScheme, maxConnections: Int,
                                       environment: [String: String] = ProcessInfo.processInfo.environment,
                                       onRefresh: (@Sendable (CredentialsRefresh) -> Void)? = nil)
        throws(SMSClientSetupError) -> (client: SMSClient, transport: HTTPClientTransport) {
        let provider: any CredentialsProvider
        do {
            provider = try CredentialsLoader.provider(environment: environment, onRefresh: onRefresh)
        } catch {
            throw SMSClientSetupError(.credentials, error.message, cause: error)
        }
        let parsed: Endpoint
        do {
            parsed = try Endpoint(url: endpoint)
        } catch {
            throw SMSClientSetupError(.endpoint, error.message, cause: error)
        }
        let variable = TransportConfiguration.trustRootsVariable
        let roots = environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        if let roots, !FileManager.default.isReadableFile(atPath: roots) {
            throw SMSClientSetupError(.trustRoots, "\(variable) names '\(roots)', which cannot be read")
        }
        let transport = HTTPClientTransport(configuration: TransportConfiguration(
            maxConnections: maxConnections, proxy: TransportConfiguration.proxy(for: parsed, environment: environment), extraTrustRoots: roots))
        let signer = RequestSigner(credentialsProvider: provider, endpoint: parsed, scheme: scheme)
        return (SMSClient(signer: signer, transport: transport), transport)
    }
}
