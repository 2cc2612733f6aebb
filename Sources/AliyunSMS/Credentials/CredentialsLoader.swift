import Foundation

/// Finds credentials where Alibaba Cloud's own tools look: the environment first
/// (`ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, optional
/// `ALIBABA_CLOUD_SECURITY_TOKEN`), then the `[default]` profile of `~/.alibabacloud/credentials`
/// (or the file `ALIBABA_CLOUD_CREDENTIALS_FILE` names).
public enum CredentialsLoader {
    /// The environment variable that holds the AccessKey id.
    public static let keyIdVariable = "ALIBABA_CLOUD_ACCESS_KEY_ID"
    /// The environment variable that holds the AccessKey secret.
    public static let secretVariable = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
    /// The environment variable that holds an STS security token.
    public static let tokenVariable = "ALIBABA_CLOUD_SECURITY_TOKEN"
    /// The environment variable that names the credentials file.
    public static let fileVariable = "ALIBABA_CLOUD_CREDENTIALS_FILE"

    /// The provider that signs a run's requests: the credentials `load` finds, held fixed. Fails
    /// now, before anything is sent, when there are none.
    public static func provider(environment: [String: String] = ProcessInfo.processInfo.environment) throws(CredentialsError) -> any CredentialsProvider {
        StaticCredentialsProvider(try load(environment: environment))
    }

    /// Loads credentials, or says clearly what is missing, before anything is sent.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws(CredentialsError) -> Credentials {
        let id = environment[keyIdVariable].flatMap { $0.isEmpty ? nil : $0 }
        let secret = environment[secretVariable].flatMap { $0.isEmpty ? nil : $0 }
        switch (id, secret) {
        case let (id?, secret?):
            return Credentials(accessKeyId: id, accessKeySecret: secret, securityToken: environment[tokenVariable].flatMap { $0.isEmpty ? nil : $0 })
        case (_?, nil):
            throw CredentialsError(.incomplete, "\(keyIdVariable) is set but \(secretVariable) is not")
        case (nil, _?):
            throw CredentialsError(.incomplete, "\(secretVariable) is set but \(keyIdVariable) is not")
        case (nil, nil):
            break
        }
        let path = environment[fileVariable] ?? environment["HOME"].map { $0 + "/.alibabacloud/credentials" }
        guard let path, FileManager.default.fileExists(atPath: path) else {
            throw CredentialsError(.missing, "no credentials: set \(keyIdVariable) and \(secretVariable) (and \(tokenVariable) for STS), or write a [default] profile to ~/.alibabacloud/credentials")
        }
        return try loadFile(path)
    }

    /// Reads the `[default]` profile of an INI credentials file, refusing one that others can read.
    public static func loadFile(_ path: String) throws(CredentialsError) -> Credentials {
        var info = stat()
        guard stat(path, &info) == 0 else { throw CredentialsError(.unreadableFile, "cannot read credentials file '\(path)'", cause: POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)) }
        let mode = info.st_mode & 0o777
        if mode & 0o077 != 0 {
            throw CredentialsError(.exposedFile, "credentials file '\(path)' can be read by other users (mode \(String(mode, radix: 8))); it holds a secret key. Run: chmod 600 '\(path)'")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw CredentialsError(.unreadableFile, "cannot read credentials file '\(path)'")
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
            throw CredentialsError(.noProfile, "credentials file '\(path)' has no [default] profile with access_key_id and access_key_secret")
        }
        return Credentials(accessKeyId: id, accessKeySecret: secret, securityToken: values["security_token"].flatMap { $0.isEmpty ? nil : $0 })
    }
}
