import Foundation

/// The official SDKs' INI credentials file (`~/.alibabacloud/credentials.ini` or `credentials`),
/// read into sections: `[name]` then `key = value` (or `key: value`) lines, keys in any case as
/// Python's configparser reads them; `#` or `;` starts a comment line, and a `#` anywhere in a
/// value ends it (the Python SDK's `value.split('#')[0]`). Types access_key
/// (with Salvo's `security_token`), ram_role_arn, oidc_role_arn and ecs_ram_role.
struct CredentialsINIFile: Sendable {
    /// One `key = value` and its line.
    struct Entry: Sendable, Equatable {
        var value: String
        var line: Int
    }

    /// One `[name]` section and where it starts.
    struct Section: Sendable, Equatable {
        var name: String
        var line: Int
        var entries: [String: Entry] = [:]
    }

    /// Where it was read from, for messages.
    let path: String
    /// The sections, by name.
    let sections: [String: Section]

    /// The types Salvo follows.
    static let types = ["access_key", "ram_role_arn", "oidc_role_arn", "ecs_ram_role"]

    /// Parses `text` read from `path`; a line that is neither a section, a key nor a comment is
    /// an error naming its line (never its content, which may be a secret).
    init(path: String, text: String) throws(CredentialsError) {
        self.path = path
        var sections: [String: Section] = [:]
        var current: String?
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            let line = raw.strippingEdges(" \t\r")
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                // Up to the last ']', as Python's configparser reads a header: `[default] # note` is [default].
                guard let close = line.lastIndex(of: "]") else { throw Self.failure(path, number, "a section header must end with ']'") }
                let name = String(line[line.index(after: line.startIndex)..<close]).strippingEdges(" \t")
                if let earlier = sections[name] {
                    throw Self.failure(path, number, "section [\(name)] appears twice (first on line \(earlier.line))")
                }
                sections[name] = Section(name: name, line: number)
                current = name
                continue
            }
            guard let delimiter = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw Self.failure(path, number, "expected '[section]' or 'key = value'")
            }
            guard let section = current else { throw Self.failure(path, number, "a key before any [section]") }
            let key = String(line[..<delimiter]).strippingEdges(" \t").lowercased()
            let value = String(line[line.index(after: delimiter)...].prefix { $0 != "#" }).strippingEdges(" \t")
            if let earlier = sections[section]?.entries[key] {
                throw Self.failure(path, number, "key '\(key)' appears twice in [\(section)] (first on line \(earlier.line))")
            }
            sections[section]?.entries[key] = Entry(value: value, line: number)
        }
        self.sections = sections
    }

    /// Reads the file at `path`, refusing one that others can read when it holds a secret.
    static func read(path: String) throws(CredentialsError) -> CredentialsINIFile {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw CredentialsError(.unreadableFile, "cannot read credentials file '\(path)'", cause: POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO))
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw CredentialsError(.unreadableFile, "cannot read credentials file '\(path)'")
        }
        let file = try CredentialsINIFile(path: path, text: text)
        try CredentialsError.refuseExposed(path: path, mode: info.st_mode, holdingSecret: file.holdsSecret)
        return file
    }

    /// Whether any section holds a secret key or a security token.
    var holdsSecret: Bool {
        sections.values.contains { section in
            ["access_key_secret", "security_token"].contains { section.entries[$0]?.value.isEmpty == false }
        }
    }

    /// The type of section `name` as the SDKs name it (`type`, or access_key for a section with
    /// only a key pair, as Salvo has always read one); nil when there is no such section.
    func type(of name: String) -> String? {
        guard let section = sections[name] else { return nil }
        if let type = section.entries["type"]?.value, !type.isEmpty { return type }
        return section.entries["access_key_id"] == nil ? "" : "access_key"
    }

    /// What section `name` describes.
    func credentials(profile name: String) throws(CredentialsError) -> ProfileCredentials {
        guard let section = sections[name], let type = type(of: name) else {
            throw CredentialsError(.invalidProfile, "credentials file '\(path)' has no [\(name)] section")
        }
        let fields = Fields(file: self, section: section)
        switch type {
        case "access_key":
            return .accessKey(try fields.key())
        case "ram_role_arn":
            return .ramRole(source: .accessKey(try fields.key()), ProfileCredentials.RoleRequest(
                roleArn: try fields.required("role_arn"), sessionName: fields.optional("role_session_name"),
                policy: fields.optional("policy"), externalId: fields.optional("external_id")))
        case "oidc_role_arn":
            return .oidcRole(ProfileCredentials.OIDCRequest(
                roleArn: try fields.required("role_arn"), providerArn: try fields.required("oidc_provider_arn"),
                tokenFile: try fields.required("oidc_token_file_path"), sessionName: fields.optional("role_session_name"),
                policy: fields.optional("policy")))
        case "ecs_ram_role":
            return .ecsRamRole(roleName: fields.optional("role_name"))
        case "":
            throw Self.failure(path, section.line, "[\(name)] has no type (one of \(Self.types.joined(separator: ", ")))")
        default:
            throw Self.failure(path, section.entries["type"]?.line ?? section.line,
                               "[\(name)] has type '\(type)', which Salvo does not support (it reads \(Self.types.joined(separator: ", ")))")
        }
    }

    /// An error at `line` of the file.
    static func failure(_ path: String, _ line: Int, _ words: String) -> CredentialsError {
        CredentialsError(.invalidProfile, "\(path):\(line): \(words)")
    }
}
