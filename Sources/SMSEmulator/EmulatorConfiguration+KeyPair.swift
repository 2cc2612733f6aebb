import AliyunSMS
import CampaignCompiler
import Foundation

extension EmulatorConfiguration {
    /// The largest secret file read, in bytes.
    static let maxSecretFileBytes: Int64 = 4096

    /// A configuration accepting the key pair given (`accessKeyId`, and the secret in `secretFile`:
    /// one on a command line would show in `ps`), else the one `environment` holds under the
    /// names Alibaba Cloud's tools use (`ALIBABA_CLOUD_ACCESS_KEY_ID`,
    /// `ALIBABA_CLOUD_ACCESS_KEY_SECRET`). A secret file's surrounding whitespace is left out.
    public init(acceptingKeyId accessKeyId: String?, secretFile: String?, environment: [String: String]) throws(EmulatorError) {
        var fileSecret: String?
        if let secretFile {
            do {
                let bytes = try RegularFile.read(secretFile, maxBytes: Self.maxSecretFileBytes)
                fileSecret = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw EmulatorError(code: .secretFileUnreadable, message: "cannot read the secret file '\(secretFile)' (a regular file of at most 4 KiB)",
                                    path: secretFile, cause: error)
            }
        }
        guard let id = accessKeyId ?? environment[CredentialsLoader.keyIdVariable], !id.isEmpty,
              let secret = fileSecret ?? environment[CredentialsLoader.secretVariable], !secret.isEmpty else {
            throw EmulatorError(code: .keyPairMissing,
                                message: "the emulator needs the key pair to accept: set \(CredentialsLoader.keyIdVariable) and \(CredentialsLoader.secretVariable)")
        }
        self.init(accessKeyId: id, accessKeySecret: secret)
    }
}
