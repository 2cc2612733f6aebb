/// The SMS API's key check with `--sts`: the emulator's key pair as always, and the `STS.` keys it
/// issued, each with its own secret, only with its own security token and before it expires.
extension EmulatorCore {
    /// The secret `keyId` signs with, or the refusal: `InvalidSecurityToken.Expired` or
    /// `.Malformed` for an issued key (before anything is recorded), `InvalidAccessKeyId.NotFound`
    /// for a key the emulator does not know.
    func signingSecret(keyId: String?, securityToken: String?) -> Result<String, Refusal> {
        guard let keyId else { return .failure(Self.keyNotFound) }
        if keyId == configuration.accessKeyId { return .success(configuration.accessKeySecret) }
        return sts?.secret(forKeyId: keyId, securityToken: securityToken) ?? .failure(Self.keyNotFound)
    }

    /// The refusal of a key the emulator does not know.
    static let keyNotFound = Refusal(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
}
