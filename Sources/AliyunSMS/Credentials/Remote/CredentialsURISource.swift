/// Credentials from a URL that answers them as JSON (`ALIBABA_CLOUD_CREDENTIALS_URI`).
public struct CredentialsURISource: CredentialsSource {
    /// The name `salvo credentials` prints.
    public let name: String
    let uri: String

    /// A source that asks `uri` for credentials.
    public init(name: String = "credentials_uri", uri: String) {
        self.name = name
        self.uri = uri
    }

    public func fetch() async throws(CredentialsError) -> Credentials {
        throw CredentialsError(.unavailable, "credentials URI is not implemented yet")
    }
}
