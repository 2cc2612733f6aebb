import Foundation

/// The aliyun CLI's `~/.aliyun/config.json`, read into its profiles: `{"current": "<name>",
/// "profiles": [{"name", "mode", ...fields}]}`. Modes AK, StsToken, RamRoleArn,
/// ChainableRamRoleArn (its `source_profile` followed, a cycle named), EcsRamRole and OIDC, with the
/// fields the official Python SDK reads (§1.5 of the reference); other fields the CLI writes are
/// ignored.
struct CLIConfigFile: Sendable {
    /// Where it was read from, for messages.
    let path: String
    /// The profile the CLI uses when none is named.
    let current: String?
    /// Each profile's fields as text (numbers and booleans spelled as JSON spells them), by name.
    let profiles: [String: [String: String]]

    /// The modes Salvo follows.
    static let modes = ["AK", "StsToken", "RamRoleArn", "ChainableRamRoleArn", "EcsRamRole", "OIDC"]

    /// Parses `data` read from `path`.
    init(path: String, data: Data) throws(CredentialsError) {
        self.path = path
        let shape: FileShape
        do {
            shape = try JSONDecoder().decode(FileShape.self, from: data)
        } catch {
            throw CredentialsError(.invalidProfile, "'\(path)' is not a valid aliyun CLI configuration (\(Self.why(error)))")
        }
        current = shape.current.flatMap { $0.isEmpty ? nil : $0 }
        var profiles: [String: [String: String]] = [:]
        for profile in shape.profiles ?? [] {
            guard let name = profile.fields["name"], !name.isEmpty else { continue }
            profiles[name] = profile.fields
        }
        self.profiles = profiles
    }

    /// Reads the file at `path`, refusing one that others can read when it holds a secret (as
    /// the INI credentials file is refused, and ssh refuses a private key).
    static func read(path: String) throws(CredentialsError) -> CLIConfigFile {
        var info = stat()
        guard stat(path, &info) == 0, let data = FileManager.default.contents(atPath: path) else {
            throw CredentialsError(.unreadableFile, "cannot read '\(path)'")
        }
        let file = try CLIConfigFile(path: path, data: data)
        try CredentialsError.refuseExposed(path: path, mode: info.st_mode, holdingSecret: file.holdsSecret)
        return file
    }

    /// Whether any profile holds a secret key or a security token.
    var holdsSecret: Bool {
        profiles.values.contains { fields in ["access_key_secret", "sts_token"].contains { fields[$0]?.isEmpty == false } }
    }

    /// The SDKs' name for a profile's mode, after `cli_profile/`: "static_ak", "ram_role_arn" ...
    static func linkName(mode: String) -> String {
        switch mode {
        case "AK": "static_ak"
        case "StsToken": "static_sts"
        case "RamRoleArn": "ram_role_arn"
        case "ChainableRamRoleArn": "chainable_ram_role_arn"
        case "EcsRamRole": "ecs_ram_role"
        case "OIDC": "oidc_role_arn"
        default: mode
        }
    }

    /// The mode of profile `name`, nil when there is no such profile.
    func mode(of name: String) -> String? {
        profiles[name].map { $0["mode"] ?? "" }
    }

    /// What profile `name` describes; its `source_profile` chain followed.
    func credentials(profile name: String) throws(CredentialsError) -> ProfileCredentials {
        try credentials(profile: name, visited: [])
    }

    private func credentials(profile name: String, visited: [String]) throws(CredentialsError) -> ProfileCredentials {
        if visited.contains(name) {
            throw failure("the source_profile chain \((visited + [name]).map { "'\($0)'" }.joined(separator: " -> ")) is a cycle")
        }
        guard let fields = profiles[name] else {
            throw failure(visited.isEmpty ? "has no profile '\(name)'" : "profile '\(visited.last ?? "")' names source_profile '\(name)', which is not in the file")
        }
        let profile = Fields(file: self, name: name, values: fields)
        let mode = fields["mode"] ?? ""
        switch mode {
        case "AK", "StsToken", "RamRoleArn":
            let key = Credentials(accessKeyId: try profile.required("access_key_id"), accessKeySecret: try profile.required("access_key_secret"),
                                  securityToken: mode == "StsToken" ? try profile.required("sts_token") : nil)
            guard mode == "RamRoleArn" else { return .accessKey(key) }
            return .ramRole(source: .accessKey(key), try profile.role())
        case "ChainableRamRoleArn":
            let source = try credentials(profile: try profile.required("source_profile"), visited: visited + [name])
            return .ramRole(source: source, try profile.role())
        case "EcsRamRole":
            return .ecsRamRole(roleName: profile.optional("ram_role_name"))
        case "OIDC":
            return .oidcRole(ProfileCredentials.OIDCRequest(
                roleArn: try profile.required("ram_role_arn"), providerArn: try profile.required("oidc_provider_arn"),
                tokenFile: try profile.required("oidc_token_file"),
                sessionName: profile.optional("ram_session_name") ?? profile.optional("role_session_name"),
                durationSeconds: try profile.duration(), policy: profile.optional("policy"),
                stsRegion: profile.optional("sts_region"), enableVPC: profile.flag("enable_vpc")))
        case "":
            throw failure("profile '\(name)' has no mode")
        default:
            throw failure("profile '\(name)' has mode '\(mode)', which Salvo does not support (it reads \(Self.modes.joined(separator: ", ")))")
        }
    }

    /// An error about this file.
    func failure(_ words: String) -> CredentialsError {
        CredentialsError(.invalidProfile, "'\(path)': \(words)")
    }

    /// A decoding error in words, without the file's contents.
    private static func why(_ error: any Error) -> String {
        switch error {
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return "unexpected value at '\(path.isEmpty ? "top level" : path)'"
        default:
            return "not JSON, or not an object"
        }
    }
}
