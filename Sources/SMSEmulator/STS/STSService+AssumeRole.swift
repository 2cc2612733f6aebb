import AliyunSMS
import Foundation

/// AssumeRole: signed (V1, HMAC-SHA1) with the emulator's key pair, or with an `STS.` key it
/// issued together with that key's security token (role chaining); the request's
/// `DurationSeconds` is checked (900 to 43200) but the credentials state `--sts-duration`.
extension STSService {
    typealias Refusal = EmulatorCore.Refusal

    /// Answers AssumeRole: the signature, the time and nonce, the role, then new credentials.
    func assumeRole(method: String, parameters: [(String, String)], requestId: String) -> EmulatorReply {
        let values = Dictionary(parameters, uniquingKeysWith: { first, _ in first })
        if let refusal = signatureRefusal(method: method, parameters: parameters, values: values)
            ?? freshnessRefusal(values)
            ?? Self.roleRefusal(values, sessionRequired: true) {
            return Self.refusal(refusal, requestId: requestId)
        }
        let credentials = issue()
        return Self.json(200, [
            "RequestId": requestId,
            "AssumedRoleUser": Self.assumedRoleUser(roleArn: values["RoleArn"] ?? "", session: values["RoleSessionName"] ?? ""),
            "Credentials": Self.credentialsObject(credentials),
        ])
    }

    /// The key's secret, then the V1 signature over every parameter but `Signature`.
    private func signatureRefusal(method: String, parameters: [(String, String)], values: [String: String]) -> Refusal? {
        guard let signature = values["Signature"], let keyId = values["AccessKeyId"] else {
            return Refusal(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards.")
        }
        let secret: String
        if keyId == configuration.accessKeyId {
            secret = configuration.accessKeySecret
        } else {
            switch self.secret(forKeyId: keyId, securityToken: values["SecurityToken"]) {
            case .success(let found): secret = found
            case .failure(let refusal): return refusal
            case nil: return Refusal(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
            }
        }
        guard values["SignatureMethod"] == "HMAC-SHA1", values["SignatureVersion"] == "1.0" else {
            return Refusal(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards.")
        }
        let canonical = SignatureV1.canonicalQuery(parameters.filter { $0.0 != "Signature" })
        guard SignatureV1.signature(stringToSign: SignatureV1.stringToSign(method: method, canonicalQuery: canonical), secret: secret) == signature else {
            return Refusal(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.")
        }
        return nil
    }

    /// The timestamp within the window, the nonce not seen before, the API version.
    private func freshnessRefusal(_ values: [String: String]) -> Refusal? {
        let now = configuration.now()
        guard let time = values["Timestamp"].flatMap(EmulatorCore.parseTimestamp) else {
            return Refusal(400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.")
        }
        guard abs(now.timeIntervalSince(time)) <= EmulatorCore.seconds(configuration.timestampWindow) else {
            return Refusal(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
        }
        guard let nonce = values["SignatureNonce"], !nonce.isEmpty else {
            return Refusal(400, "MissingSignatureNonce", "SignatureNonce is mandatory for this action.")
        }
        guard !nonceReused(nonce, now: now) else { return Refusal(400, "SignatureNonceUsed", "Specified signature nonce was used already.") }
        return Self.versionRefusal(values)
    }

    // MARK: - Shared with AssumeRoleWithOIDC

    /// A `Version` other than STS's.
    static func versionRefusal(_ values: [String: String]) -> Refusal? {
        values["Version"] == version ? nil : Refusal(400, "InvalidVersion", "Specified parameter Version is not valid.")
    }

    /// `RoleArn` (`acs:ram::<account>:role/<name>`), `RoleSessionName` (2 to 64 of letters,
    /// digits, `.`, `@`, `-`, `_`; required for AssumeRole) and `DurationSeconds` (900 to 43200).
    static func roleRefusal(_ values: [String: String], sessionRequired: Bool) -> Refusal? {
        guard let roleArn = values["RoleArn"], !roleArn.isEmpty else { return Refusal(400, "MissingRoleArn", "RoleArn is mandatory for this action.") }
        guard roleArn.hasPrefix("acs:ram::"), roleArn.contains(":role/") else {
            return Refusal(400, "InvalidParameter.RoleArn", "The parameter RoleArn is wrongly formed.")
        }
        if let session = values["RoleSessionName"] {
            let allowed = session.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || ".@-_".unicodeScalars.contains($0)) }
            guard (2...64).contains(session.count), allowed else {
                return Refusal(400, "InvalidParameter.RoleSessionName", "The parameter RoleSessionName is wrongly formed.")
            }
        } else if sessionRequired {
            return Refusal(400, "MissingRoleSessionName", "RoleSessionName is mandatory for this action.")
        }
        if let duration = values["DurationSeconds"] {
            guard let seconds = Int(duration), (900...43_200).contains(seconds) else {
                return Refusal(400, "InvalidParameter.DurationSeconds", "The Min/Max value of DurationSeconds is 15min/12hr.")
            }
        }
        return nil
    }

    /// `AssumedRoleUser`: the role's ARN with the session name, and an id for the role with it.
    static func assumedRoleUser(roleArn: String, session: String) -> [String: Any] {
        // A stable number for the role (FNV-1a of its ARN), as STS gives each role its own.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in roleArn.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let digits = String(hash % 100_000_000_000_000_000)
        let roleId = "3" + String(repeating: "0", count: 17 - digits.count) + digits
        return ["Arn": roleArn + "/" + session, "AssumedRoleId": roleId + ":" + session]
    }

    /// `Credentials`: the key id, secret, token and the stated `Expiration`.
    static func credentialsObject(_ credentials: IssuedCredentials) -> [String: Any] {
        ["AccessKeyId": credentials.accessKeyId, "AccessKeySecret": credentials.accessKeySecret, "SecurityToken": credentials.securityToken,
         "Expiration": AliyunTime.timestamp(credentials.expiration)]
    }
}
