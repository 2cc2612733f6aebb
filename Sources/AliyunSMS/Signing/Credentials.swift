import Foundation

/// A secret string that never shows itself: printing, interpolating, dumping or reflecting it gives
/// `<redacted>`. Only the signer reads `value`.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let value: String

    /// Wraps a secret.
    public init(_ value: String) {
        self.value = value
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}

/// An Alibaba Cloud access key pair, and an STS token for temporary credentials.
public struct Credentials: Sendable, Hashable, CustomStringConvertible {
    /// The AccessKey id (not secret; shown masked in logs anyway).
    public var accessKeyId: String
    /// The AccessKey secret.
    public var accessKeySecret: Secret
    /// The STS security token, for temporary credentials.
    public var securityToken: Secret?

    /// Creates credentials.
    public init(accessKeyId: String, accessKeySecret: String, securityToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.accessKeySecret = Secret(accessKeySecret)
        self.securityToken = securityToken.map(Secret.init)
    }

    /// The key id with its middle hidden: `LTAI****wxyz`.
    public var maskedKeyId: String {
        guard accessKeyId.count > 8 else { return String(repeating: "*", count: accessKeyId.count) }
        return String(accessKeyId.prefix(4)) + "****" + String(accessKeyId.suffix(4))
    }

    public var description: String { "Credentials(\(maskedKeyId)\(securityToken == nil ? "" : ", STS"))" }
}

/// Why credentials could not be had.
public struct CredentialsError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in words; never holds a secret.
    public var message: String

    public var description: String { message }
}

/// Finds credentials where Alibaba Cloud's own tools look: the environment first
/// (`ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, optional
/// `ALIBABA_CLOUD_SECURITY_TOKEN`), then the `[default]` profile of `~/.alibabacloud/credentials`
/// (or the file `ALIBABA_CLOUD_CREDENTIALS_FILE` names).
public enum CredentialsLoader {
    /// The environment variable names, for messages and docs.
    public static let keyIdVariable = "ALIBABA_CLOUD_ACCESS_KEY_ID"
    public static let secretVariable = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
    public static let tokenVariable = "ALIBABA_CLOUD_SECURITY_TOKEN"
    public static let fileVariable = "ALIBABA_CLOUD_CREDENTIALS_FILE"

    /// Loads credentials, or says clearly what is missing, before anything is sent.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws(CredentialsError) -> Credentials {
        let id = environment[keyIdVariable].flatMap { $0.isEmpty ? nil : $0 }
        let secret = environment[secretVariable].flatMap { $0.isEmpty ? nil : $0 }
        switch (id, secret) {
        case let (id?, secret?):
            return Credentials(accessKeyId: id, accessKeySecret: secret, securityToken: environment[tokenVariable].flatMap { $0.isEmpty ? nil : $0 })
        case (_?, nil):
            throw CredentialsError(message: "\(keyIdVariable) is set but \(secretVariable) is not")
        case (nil, _?):
            throw CredentialsError(message: "\(secretVariable) is set but \(keyIdVariable) is not")
        case (nil, nil):
            break
        }
        let path = environment[fileVariable] ?? environment["HOME"].map { $0 + "/.alibabacloud/credentials" }
        guard let path, FileManager.default.fileExists(atPath: path) else {
            throw CredentialsError(message: "no credentials: set \(keyIdVariable) and \(secretVariable) (and \(tokenVariable) for STS), or write a [default] profile to ~/.alibabacloud/credentials")
        }
        return try loadFile(path)
    }

    /// Reads the `[default]` profile of an INI credentials file, refusing one that others can read.
    public static func loadFile(_ path: String) throws(CredentialsError) -> Credentials {
        var info = stat()
        guard stat(path, &info) == 0 else { throw CredentialsError(message: "cannot read credentials file '\(path)'") }
        let mode = info.st_mode & 0o777
        if mode & 0o077 != 0 {
            throw CredentialsError(message: "credentials file '\(path)' can be read by other users (mode \(String(mode, radix: 8))); it holds a secret key. Run: chmod 600 '\(path)'")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw CredentialsError(message: "cannot read credentials file '\(path)'")
        }
        var section = ""
        var values: [String: String] = [:]
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.strippingEdges(" \t")
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast()).strippingEdges(" \t")
                continue
            }
            guard section == "default", let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals]).strippingEdges(" \t")
            values[key] = String(line[line.index(after: equals)...]).strippingEdges(" \t")
        }
        guard let id = values["access_key_id"], !id.isEmpty, let secret = values["access_key_secret"], !secret.isEmpty else {
            throw CredentialsError(message: "credentials file '\(path)' has no [default] profile with access_key_id and access_key_secret")
        }
        return Credentials(accessKeyId: id, accessKeySecret: secret, securityToken: values["security_token"].flatMap { $0.isEmpty ? nil : $0 })
    }
}
