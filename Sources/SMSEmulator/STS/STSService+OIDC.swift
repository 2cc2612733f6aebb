import CampaignCompiler
import Foundation

/// AssumeRoleWithOIDC: unsigned; the OIDC token must be the current content (trimmed) of the
/// configured token file, read at every call so that a rewritten file takes effect at once, as
/// Kubernetes rotates a service account's token.
extension STSService {
    /// The largest token file read (a token is at most 20,000 characters).
    static let maxTokenFileBytes: Int64 = 64 << 10
    /// The refusal of an OIDC token that is not the file's.
    static let invalidOIDCToken = Refusal(400, "InvalidParameter.OIDCToken", "The OIDC token is invalid.")

    /// Answers AssumeRoleWithOIDC: the role, the provider and the token, then new credentials.
    func assumeRoleWithOIDC(parameters: [(String, String)], requestId: String) -> EmulatorReply {
        let values = Dictionary(parameters, uniquingKeysWith: { first, _ in first })
        if let refusal = Self.versionRefusal(values) ?? Self.oidcRefusal(values) ?? Self.roleRefusal(values, sessionRequired: false) {
            return Self.refusal(refusal, requestId: requestId)
        }
        guard let token = values["OIDCToken"], let expected = currentOIDCToken(), token == expected else {
            return Self.refusal(Self.invalidOIDCToken, requestId: requestId)
        }
        let credentials = issue()
        let info = Self.tokenInfo(token)
        return Self.json(200, [
            "RequestId": requestId,
            "AssumedRoleUser": Self.assumedRoleUser(roleArn: values["RoleArn"] ?? "", session: values["RoleSessionName"] ?? info.subject),
            "Credentials": Self.credentialsObject(credentials),
            "OIDCTokenInfo": ["ClientIds": info.clientIds, "Issuer": info.issuer, "Subject": info.subject],
        ])
    }

    /// The token file's content now, trimmed; nil without a file, or when it cannot be read or is empty.
    func currentOIDCToken() -> String? {
        guard let path = emulation.oidcTokenFile, let bytes = try? RegularFile.read(path, maxBytes: Self.maxTokenFileBytes) else { return nil }
        let token = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return token.isEmpty ? nil : token
    }

    /// `OIDCProviderArn` (`acs:ram::<account>:oidc-provider/<name>`) and `OIDCToken` given.
    private static func oidcRefusal(_ values: [String: String]) -> Refusal? {
        guard values["RoleArn"].map({ !$0.isEmpty }) ?? false else { return Refusal(400, "MissingRoleArn", "RoleArn is mandatory for this action.") }
        guard let provider = values["OIDCProviderArn"], !provider.isEmpty else {
            return Refusal(400, "MissingOIDCProviderArn", "OIDCProviderArn is mandatory for this action.")
        }
        guard provider.hasPrefix("acs:ram::"), provider.contains(":oidc-provider/") else {
            return Refusal(400, "InvalidParameter.OIDCProviderArn", "The parameter OIDCProviderArn is wrongly formed.")
        }
        guard values["OIDCToken"].map({ !$0.isEmpty }) ?? false else { return Refusal(400, "MissingOIDCToken", "OIDCToken is mandatory for this action.") }
        return nil
    }

    /// The issuer, subject and audiences of a JWT's claims (not verified: the file is the
    /// authority here), or the emulator's own names for a token that is not a JWT.
    static func tokenInfo(_ token: String) -> (issuer: String, subject: String, clientIds: String) {
        let fallback = (issuer: "salvo-emulator", subject: "salvo-emulator", clientIds: "sts.aliyuncs.com")
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return fallback }
        var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let claims = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return fallback }
        let audiences = (claims["aud"] as? String).map { [$0] } ?? (claims["aud"] as? [String]) ?? []
        return (claims["iss"] as? String ?? fallback.issuer, claims["sub"] as? String ?? fallback.subject,
                audiences.isEmpty ? fallback.clientIds : audiences.joined(separator: ","))
    }
}
