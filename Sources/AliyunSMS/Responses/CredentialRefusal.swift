import Foundation

/// The provider refused the access key itself: an id it does not know or has disabled, a
/// signature made with another secret, or a key without permission for the SMS API. No retry
/// fixes it, and nothing was sent with it; the person running Salvo must fix the key.
public struct CredentialRefusal: Sendable, Hashable, CustomStringConvertible {
    /// The platform's code, one of `codes`.
    public var code: String
    /// The platform's words.
    public var message: String
    /// The key id with its middle hidden (`LTAI****ab12`).
    public var maskedKeyId: String

    /// The codes that refuse the key rather than a request (all classified `.fatal`).
    public static let codes: Set<String> = [
        "InvalidAccessKeyId.NotFound", "InvalidAccessKeyId.Inactive", "SignatureDoesNotMatch", "IncompleteSignature",
        "Forbidden.RAM", "NoPermission", "isp.RAM_PERMISSION_DENY",
        "InvalidSecurityToken.Expired", "InvalidSecurityToken.Malformed", "InvalidSecurityToken.MismatchWithAccessKey",
    ]

    /// The refusal in `failure`, when its code refuses the key of `credentials`; nil for any other failure.
    public init?(_ failure: SMSFailure, credentials: Credentials) {
        guard Self.codes.contains(failure.code) else { return nil }
        code = failure.code
        maskedKeyId = credentials.maskedKeyId
        message = Self.shown(failure.message, keyId: credentials.accessKeyId, masked: maskedKeyId)
    }

    /// The platform's words as they may be shown and kept: without the string the gateway signed
    /// (it holds the whole key id and the request's phone numbers), the key id masked wherever it
    /// appears, cut at 300 characters.
    static func shown(_ message: String, keyId: String, masked: String) -> String {
        var text = SMSClient.withoutStringToSign(message)
        if !keyId.isEmpty { text = text.replacingOccurrences(of: keyId, with: masked) }
        text = text.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: ":")))
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }

    /// Creates a refusal.
    public init(code: String, message: String, maskedKeyId: String) {
        self.code = code
        self.message = message
        self.maskedKeyId = maskedKeyId
    }

    /// The permissions a run needs: it sends and asks what was sent.
    public static let runPermissions = ["dysms:SendBatchSms", "dysms:SendSms", "dysms:QuerySendDetails"]

    /// What to check first for this code.
    public var advice: String { advice(permissions: Self.runPermissions) }

    /// What to check first for this code, for a command that needs `permissions`.
    public func advice(permissions: [String]) -> String {
        switch code {
        case "InvalidAccessKeyId.NotFound":
            "the provider knows no such AccessKey: check ALIBABA_CLOUD_ACCESS_KEY_ID (or access_key_id in the credentials file) and that the key was not deleted"
        case "InvalidAccessKeyId.Inactive":
            "the AccessKey is disabled: enable it in the RAM console, or use an enabled key"
        case "SignatureDoesNotMatch":
            "the signature was made with a secret that is not this key's: check ALIBABA_CLOUD_ACCESS_KEY_SECRET (or access_key_secret in the credentials file)"
        case "InvalidSecurityToken.Expired":
            "the STS security token has expired and fresh credentials were refused too: a token given in ALIBABA_CLOUD_SECURITY_TOKEN or a StsToken profile cannot be renewed by Salvo (use a RAM role, OIDC or the ECS role, which Salvo refreshes), and credentials refreshed but refused at once mean this machine's clock is wrong"
        case "InvalidSecurityToken.Malformed", "InvalidSecurityToken.MismatchWithAccessKey":
            "the STS security token does not belong to this key: the AccessKey id, secret and ALIBABA_CLOUD_SECURITY_TOKEN must all come from the same STS answer"
        case "IncompleteSignature":
            "the provider could not read the signature: check the secret, and for STS credentials ALIBABA_CLOUD_SECURITY_TOKEN"
        default:
            "the key's RAM user or role may not use the SMS API: grant it \(Self.listed(permissions)) (the AliyunDysmsFullAccess policy has them)"
        }
    }

    public var description: String { description(permissions: Self.runPermissions) }

    /// The refusal in words, for a command that needs `permissions`.
    public func description(permissions: [String]) -> String {
        "the provider refused the AccessKey \(maskedKeyId) (\(code): \(message)); \(advice(permissions: permissions)). "
            + "Check that the secret belongs to this key, that the key is enabled, and that its RAM policy allows \(Self.listed(permissions)). "
            + "Running again will not help until the key is fixed"
    }

    /// `a, b and c`.
    private static func listed(_ items: [String]) -> String {
        items.count < 2 ? items.joined() : items.dropLast().joined(separator: ", ") + " and " + (items.last ?? "")
    }
}
