import AliyunSMS
import Foundation
import Synchronization

/// STS (AssumeRole, AssumeRoleWithOIDC) and the ECS instance metadata service as the emulator
/// plays them with `--sts`, and the check of the `STS.` keys they issue. Everything is answered at
/// once, on the connection's thread: nothing here waits, beyond reading the small OIDC token file.
final class STSService: Sendable {
    private struct State {
        /// AssumeRole's nonces and when they were seen.
        var nonces: [String: Date] = [:]
        /// Metadata session tokens and when each stops being valid.
        var metadataTokens: [String: Date] = [:]
    }

    /// What to issue and how.
    let emulation: STSEmulation
    /// What was issued.
    let issued = IssuedCredentialsTable()
    /// The emulator's configuration: its permanent key pair, clock, timestamp window and nonce memory.
    let configuration: EmulatorConfiguration
    /// Where issues and refusals are counted.
    private let record: EmulatorRecord
    private let state = Mutex(State())

    /// The STS API version.
    static let version = "2015-04-01"
    /// The refusal of an expired security token.
    static let expired = EmulatorCore.Refusal(400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired.")
    /// The refusal of a missing, unknown or mismatched security token.
    static let malformed = EmulatorCore.Refusal(400, "InvalidSecurityToken.Malformed", "Specified SecurityToken is malformed.")

    /// Plays STS as `configuration.sts` says, counting in `record`.
    init(configuration: EmulatorConfiguration, record: EmulatorRecord) {
        emulation = configuration.sts
        self.configuration = configuration
        self.record = record
    }

    /// The answer to a request for STS (AssumeRole or AssumeRoleWithOIDC at `/`) or the metadata
    /// service (under `/latest/`); nil for any other request (the SMS API's).
    func answer(_ request: EmulatorRequest) -> EmulatorReply? {
        let parts = request.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = parts.first.map(String.init) ?? ""
        if path == "/latest" || path.hasPrefix("/latest/") { return metadata(request, path: path) }
        guard path == "/" || path.isEmpty, let query = PercentEncoding.parseForm(parts.count > 1 ? parts[1] : "") else { return nil }
        let body = Self.formBody(request)
        guard let action = (query + (body ?? [])).first(where: { $0.0 == "Action" })?.1,
              action == "AssumeRole" || action == "AssumeRoleWithOIDC" else { return nil }
        let requestId = UUID().uuidString
        guard let body else {
            return Self.refusal(EmulatorCore.Refusal(400, "InvalidParameter", "The body must be application/x-www-form-urlencoded."), requestId: requestId)
        }
        return action == "AssumeRole"
            ? assumeRole(method: request.method, parameters: query + body, requestId: requestId)
            : assumeRoleWithOIDC(parameters: query + body, requestId: requestId)
    }

    /// The secret of an issued `STS.` key id when the security token is the one issued with it
    /// and they have not expired; else the refusal (counted). Nil for a key id neither issued nor
    /// `STS.`: not this service's to judge.
    func secret(forKeyId keyId: String, securityToken: String?) -> Result<String, EmulatorCore.Refusal>? {
        guard let credentials = issued.credentials(keyId: keyId) else {
            guard keyId.hasPrefix("STS.") else { return nil }
            return .failure(refused(Self.malformed))
        }
        guard let securityToken, securityToken == credentials.securityToken else { return .failure(refused(Self.malformed)) }
        guard !credentials.isExpired(at: configuration.now(), revokeAfter: emulation.revokeAfter) else { return .failure(refused(Self.expired)) }
        return .success(credentials.accessKeySecret)
    }

    /// Issues a new set of credentials now, counted.
    func issue() -> IssuedCredentials {
        let credentials = issued.issue(now: configuration.now(), lifetime: emulation.duration)
        record.countSTS(refused: false)
        return credentials
    }

    private func refused(_ refusal: EmulatorCore.Refusal) -> EmulatorCore.Refusal {
        record.countSTS(refused: true)
        return refusal
    }

    /// Whether `nonce` was seen within the nonce memory (and remembers it).
    func nonceReused(_ nonce: String, now: Date) -> Bool {
        state.withLock { state in
            let horizon = now.addingTimeInterval(-EmulatorCore.seconds(configuration.nonceMemory))
            if state.nonces.count > 100_000 { state.nonces = state.nonces.filter { $0.value > horizon } }
            if let seen = state.nonces[nonce], seen > horizon { return true }
            state.nonces[nonce] = now
            return false
        }
    }

    /// Remembers a metadata session token valid until `expiry`.
    func keepMetadataToken(_ token: String, until expiry: Date, now: Date) {
        state.withLock { state in
            if state.metadataTokens.count > 10_000 { state.metadataTokens = state.metadataTokens.filter { $0.value > now } }
            state.metadataTokens[token] = expiry
        }
    }

    /// Whether `token` is a metadata session token still valid at `now`.
    func metadataTokenValid(_ token: String, now: Date) -> Bool {
        state.withLock { $0.metadataTokens[token].map { $0 > now } ?? false }
    }

    // MARK: - Answers

    /// The request's form body: empty without one, nil when it is not a form.
    private static func formBody(_ request: EmulatorRequest) -> [(String, String)]? {
        guard !request.body.isEmpty else { return [] }
        guard request.header("content-type")?.contains("x-www-form-urlencoded") == true,
              let text = String(validating: request.body, as: UTF8.self) else { return nil }
        return PercentEncoding.parseForm(Substring(text))
    }

    /// A JSON answer, keys sorted.
    static func json(_ status: Int, _ object: [String: Any]) -> EmulatorReply {
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])).map { [UInt8]($0) } ?? []
        return EmulatorReply(status: status, headers: [("content-type", "application/json;charset=utf-8")], body: body, delay: .zero, dropConnection: false)
    }

    /// A plain-text answer (the metadata service's).
    static func text(_ status: Int, _ text: String) -> EmulatorReply {
        EmulatorReply(status: status, headers: [("content-type", "text/plain")], body: Array(text.utf8), delay: .zero, dropConnection: false)
    }

    /// A refusal as STS words it: `{"RequestId","Code","Message"}`.
    static func refusal(_ refusal: EmulatorCore.Refusal, requestId: String) -> EmulatorReply {
        json(refusal.status, ["RequestId": requestId, "Code": refusal.code, "Message": refusal.message])
    }
}
