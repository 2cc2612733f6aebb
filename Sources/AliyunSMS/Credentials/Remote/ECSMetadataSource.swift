/// Credentials of an ECS instance's RAM role, from the instance metadata service as the official
/// SDKs ask it: an IMDSv2 token (a fresh one at every fetch), the role's name unless given, then
/// its credentials; without the token (IMDSv1) when the token cannot be had or a request with it
/// fails, unless v1 is disabled. Each call has 1 s.
public struct ECSMetadataSource: CredentialsSource {
    /// The metadata service's address; `SALVO_ECS_METADATA_URL` replaces it.
    public static let defaultURL = "http://100.100.100.200"
    /// The path that answers the IMDSv2 token.
    static let tokenPath = "/latest/api/token"
    /// The path that lists the role (and, followed by a role name, answers its credentials).
    static let credentialsPath = "/latest/meta-data/ram/security-credentials/"
    /// How long a token is asked to last, in seconds (the SDKs ask 6 hours).
    static let tokenLifetime = 21600

    /// The name `salvo credentials` prints.
    public let name: String
    let baseURL: String
    let roleName: String?
    let v1Disabled: Bool
    /// Each call's deadline: 1 s, as the SDKs set it (tests on a loaded machine give more).
    var timeout = RemoteHTTP.metadataTimeout

    /// A source that asks the metadata service at `baseURL` for the credentials of `roleName` (or
    /// of the role it names when nil); `v1Disabled` (`ALIBABA_CLOUD_IMDSV1_DISABLED=true`) makes a
    /// failed IMDSv2 step an error instead of a retry without the token.
    public init(name: String = "ecs_ram_role", baseURL: String = defaultURL, roleName: String?,
                v1Disabled: Bool) {
        self.name = name
        self.baseURL = baseURL
        self.roleName = roleName
        self.v1Disabled = v1Disabled
    }

    /// The base URL without a trailing slash.
    var base: String { baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL }

    /// Asks for a token, the role name (unless given) and the role's credentials.
    public func fetch() async throws(CredentialsError) -> Credentials {
        let token = try await metadataToken()
        let role: String
        if let roleName, !roleName.isEmpty {
            role = roleName
        } else {
            role = try await get(Self.credentialsPath, purpose: "the RAM role's name", token: token) { response, place throws(CredentialsError) in
                try Self.roleName(in: response, place: place)
            }
        }
        let path = Self.credentialsPath + PercentEncoding.encode(role)
        return try await get(path, purpose: "the credentials of role '\(role)'", token: token) { response, place throws(CredentialsError) in
            try CredentialsAnswer.metadata(response, place: place)
        }
    }

    /// An IMDSv2 token; nil when none can be had and v1 is allowed.
    func metadataToken() async throws(CredentialsError) -> String? {
        let url = base + Self.tokenPath
        let call = RemoteHTTP.Call(purpose: "an IMDSv2 token (PUT \(Self.tokenPath))", method: "PUT", url: url,
                                   headers: [("X-aliyun-ecs-metadata-token-ttl-seconds", String(Self.tokenLifetime))],
                                   timeout: timeout)
        let failure: CredentialsError
        do {
            let response = try await RemoteHTTP.send(call)
            let token = String(decoding: response.body, as: UTF8.self).strippingEdges(" \t\r\n")
            if response.status == 200, !token.isEmpty { return token }
            failure = CredentialsError(.unavailable, "PUT \(url) for an IMDSv2 token answered HTTP \(response.status)\(token.isEmpty ? " with no token" : "")")
        } catch {
            failure = error
        }
        guard v1Disabled else { return nil }
        throw CredentialsError(failure.code, failure.message + " (IMDSv1 is disabled, so there is no fallback without a token)", cause: failure.cause)
    }

    /// GETs `path` with the token (when there is one) and reads the answer with `read`; when that
    /// fails and v1 is allowed, once more without the token, as the SDKs do.
    func get<T>(_ path: String, purpose: String, token: String?,
                read: (HTTPResponse, String) throws(CredentialsError) -> T) async throws(CredentialsError) -> T {
        let url = base + path
        let place = "GET \(url)"
        func attempt(_ token: String?) async throws(CredentialsError) -> T {
            let headers = token.map { [("X-aliyun-ecs-metadata-token", $0)] } ?? []
            let call = RemoteHTTP.Call(purpose: "\(purpose) (\(place))", method: "GET", url: url, headers: headers, timeout: timeout)
            return try read(try await RemoteHTTP.send(call), place)
        }
        guard let token else { return try await attempt(nil) }
        do {
            return try await attempt(token)
        } catch {
            guard !v1Disabled else { throw error }
            do {
                return try await attempt(nil)
            } catch let retry {
                throw CredentialsError(retry.code, "\(error.message) with the IMDSv2 token; without it (IMDSv1): \(retry.message)", cause: retry)
            }
        }
    }

    /// The role name a listing answers: its first line, trimmed.
    static func roleName(in response: HTTPResponse, place: String) throws(CredentialsError) -> String {
        guard response.status == 200 else {
            throw CredentialsError(.unavailable, "\(place) answered HTTP \(response.status) (is a RAM role attached to the instance?)")
        }
        let text = String(decoding: response.body, as: UTF8.self).strippingEdges(" \t\r\n")
        let first = text.split(whereSeparator: \.isNewline).first.map { $0.strippingEdges(" \t\r") } ?? ""
        guard !first.isEmpty else {
            throw CredentialsError(.unavailable, "\(place) answered no role name: no RAM role is attached to the instance")
        }
        return first
    }
}
