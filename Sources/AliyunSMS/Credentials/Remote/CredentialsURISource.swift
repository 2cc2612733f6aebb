/// Credentials from a URL that answers them as JSON (`ALIBABA_CLOUD_CREDENTIALS_URI`):
/// `{"Code":"Success","AccessKeyId",...,"Expiration"}`.
public struct CredentialsURISource: CredentialsSource {
    /// The name `salvo credentials` prints.
    public let name: String
    let uri: String

    /// A source that asks `uri` for credentials.
    public init(name: String = "credentials_uri", uri: String) {
        self.name = name
        self.uri = uri
    }

    /// GETs the URI and reads the credentials it answers.
    public func fetch() async throws(CredentialsError) -> Credentials {
        let place = "GET \(RemoteHTTP.redacted(uri))"
        let response = try await RemoteHTTP.send(RemoteHTTP.Call(purpose: "credentials (\(place))", method: "GET", url: uri, timeout: RemoteHTTP.stsTimeout))
        return try CredentialsAnswer.metadata(response, place: place)
    }
}
