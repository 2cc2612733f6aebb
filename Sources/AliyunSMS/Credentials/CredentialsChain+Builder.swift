import Foundation

extension CredentialsChain {
    /// Builds the default chain's links from an environment: reads the variables and the profile
    /// files now, fetches nothing. See `CredentialsLoader` for the order and the deviations.
    struct Builder {
        let environment: [String: String]
        let onRefresh: (@Sendable (CredentialsRefresh) -> Void)?

        static let roleArnVariable = "ALIBABA_CLOUD_ROLE_ARN"
        static let oidcProviderArnVariable = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN"
        static let oidcTokenFileVariable = "ALIBABA_CLOUD_OIDC_TOKEN_FILE"
        static let sessionNameVariable = "ALIBABA_CLOUD_ROLE_SESSION_NAME"
        static let profileVariable = "ALIBABA_CLOUD_PROFILE"
        static let cliProfileDisabledVariable = "ALIBABA_CLOUD_CLI_PROFILE_DISABLED"
        static let ecsRoleVariable = "ALIBABA_CLOUD_ECS_METADATA"
        static let ecsDisabledVariable = "ALIBABA_CLOUD_ECS_METADATA_DISABLED"
        /// The code's spelling, then the one the SDK's README also uses.
        static let imdsV1DisabledVariables = ["ALIBABA_CLOUD_IMDSV1_DISABLED", "ALIBABA_CLOUD_IMDSV1_DISABLE"]
        static let credentialsURIVariable = "ALIBABA_CLOUD_CREDENTIALS_URI"

        /// The links in order, up to the first that holds a fixed key. Throws at once for half a
        /// key pair, an unusable profile, and when no link can have credentials.
        func links() throws(CredentialsError) -> [Link] {
            let keyLink = try environmentLink()
            if keyLink.provider != nil { return [keyLink] }
            var links = [keyLink, try oidcLink()]
            let named = value(Self.profileVariable)
            let cli = try cliProfileLink(named: named)
            links.append(cli.link)
            if !Self.isFixed(cli.link) {
                let ini = try iniLink(named: named)
                links.append(ini.link)
                if let named, cli.read || ini.read, !cli.found, !ini.found {
                    // A file was read and the profile is in none: a typo, not a wish for the next link.
                    throw CredentialsError(.invalidProfile, "\(Self.profileVariable) names profile '\(named)', which neither ~/.aliyun/config.json nor the credentials file has")
                }
                if !Self.isFixed(ini.link) {
                    links += [try metadataLink(), uriLink()]
                }
            }
            if links.allSatisfy({ $0.provider == nil }) {
                throw CredentialsChain.nothingFound(links.map(\.description))
            }
            return links
        }

        // MARK: - The links

        func environmentLink() throws(CredentialsError) -> Link {
            let id = value(CredentialsLoader.keyIdVariable), secret = value(CredentialsLoader.secretVariable)
            switch (id, secret) {
            case let (id?, secret?):
                let credentials = Credentials(accessKeyId: id, accessKeySecret: secret, securityToken: value(CredentialsLoader.tokenVariable))
                return Link(name: "env", provider: StaticCredentialsProvider(credentials))
            case (_?, nil):
                throw CredentialsError(.incomplete, "\(CredentialsLoader.keyIdVariable) is set but \(CredentialsLoader.secretVariable) is not")
            case (nil, _?):
                throw CredentialsError(.incomplete, "\(CredentialsLoader.secretVariable) is set but \(CredentialsLoader.keyIdVariable) is not")
            case (nil, nil):
                return Link(name: "env", absent: "\(CredentialsLoader.keyIdVariable) and \(CredentialsLoader.secretVariable) are not set")
            }
        }

        func oidcLink() throws(CredentialsError) -> Link {
            let names = [Self.roleArnVariable, Self.oidcProviderArnVariable, Self.oidcTokenFileVariable]
            guard let roleArn = value(names[0]), let providerArn = value(names[1]), let tokenFile = value(names[2]) else {
                let unset = names.filter { value($0) == nil }
                let which = unset.count == names.count ? "" : " (\(unset.joined(separator: " and ")) \(unset.count == 1 ? "is" : "are") not)"
                return Link(name: "oidc_role_arn", absent: "\(names[0]), \(names[1]) and \(names[2]) are not all set\(which)")
            }
            let request = ProfileCredentials.OIDCRequest(roleArn: roleArn, providerArn: providerArn, tokenFile: tokenFile, sessionName: nil)
            return Link(name: "oidc_role_arn", provider: try provider(for: .oidcRole(request), name: "oidc_role_arn", onRefresh: onRefresh))
        }

        func cliProfileLink(named: String?) throws(CredentialsError) -> FileLink {
            if isTrue(Self.cliProfileDisabledVariable) {
                return FileLink(link: Link(name: "cli_profile", absent: "\(Self.cliProfileDisabledVariable)=true"))
            }
            guard let home = value("HOME") else { return FileLink(link: Link(name: "cli_profile", absent: "HOME is not set")) }
            let path = home + "/.aliyun/config.json"
            guard FileManager.default.fileExists(atPath: path) else {
                return FileLink(link: Link(name: "cli_profile", absent: "\(path) does not exist"))
            }
            let file = try CLIConfigFile.read(path: path)
            guard let profile = named ?? file.current else {
                return FileLink(link: Link(name: "cli_profile", absent: "'\(path)' names no current profile"), read: true)
            }
            guard let mode = file.mode(of: profile) else {
                if named != nil {
                    return FileLink(link: Link(name: "cli_profile", absent: "'\(path)' has no profile '\(profile)' (\(Self.profileVariable))"), read: true)
                }
                throw file.failure("its current profile '\(profile)' is not among its profiles")
            }
            let name = "cli_profile/" + CLIConfigFile.linkName(mode: mode)
            let provider = try provider(for: try file.credentials(profile: profile), name: name, onRefresh: onRefresh)
            return FileLink(link: Link(name: name, provider: provider), read: true, found: true)
        }

        func iniLink(named: String?) throws(CredentialsError) -> FileLink {
            let path: String
            if let named = value(CredentialsLoader.fileVariable) {
                guard FileManager.default.fileExists(atPath: named) else {
                    throw CredentialsError(.unreadableFile, "\(CredentialsLoader.fileVariable) names '\(named)', which does not exist")
                }
                path = named
            } else {
                guard let home = value("HOME") else { return FileLink(link: Link(name: "profile", absent: "HOME is not set")) }
                let candidates = [home + "/.alibabacloud/credentials.ini", home + "/.alibabacloud/credentials"]
                guard let existing = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                    return FileLink(link: Link(name: "profile", absent: "\(candidates[0]) and \(candidates[1]) do not exist"))
                }
                path = existing
            }
            let file = try CredentialsINIFile.read(path: path)
            let section = named ?? "default"
            guard let type = file.type(of: section) else {
                return FileLink(link: Link(name: "profile", absent: "'\(path)' has no [\(section)] section"), read: true)
            }
            let name = "profile/" + (type.isEmpty ? "access_key" : type)
            let provider = try provider(for: try file.credentials(profile: section), name: name, onRefresh: onRefresh)
            return FileLink(link: Link(name: name, provider: provider), read: true, found: true)
        }

        func metadataLink() throws(CredentialsError) -> Link {
            if isTrue(Self.ecsDisabledVariable) {
                return Link(name: "ecs_ram_role", absent: "\(Self.ecsDisabledVariable)=true")
            }
            var link = Link(name: "ecs_ram_role", provider: try provider(for: .ecsRamRole(roleName: nil), name: "ecs_ram_role", onRefresh: onRefresh))
            // Looked at on every machine: its failure means "not an ECS instance with a role",
            // unless a role or a metadata address was named.
            link.implicit = value("ALIBABA_CLOUD_ECS_METADATA") == nil && value(CredentialsLoader.metadataURLVariable) == nil
            return link
        }

        func uriLink() -> Link {
            guard let uri = value(Self.credentialsURIVariable) else {
                return Link(name: "credentials_uri", absent: "\(Self.credentialsURIVariable) is not set")
            }
            return Link(name: "credentials_uri", provider: RefreshingCredentialsProvider(source: CredentialsURISource(uri: uri), onRefresh: onRefresh))
        }

        /// A profile file's link, whether the file was read, and whether it had the profile.
        struct FileLink {
            var link: Link
            var read = false
            var found = false
        }

        // MARK: - Providers

        /// The provider for what a profile (or the environment) describes, named `name`; a
        /// role's source credentials get their own provider, which reports no refreshes.
        func provider(for profile: ProfileCredentials, name: String,
                      onRefresh: (@Sendable (CredentialsRefresh) -> Void)?) throws(CredentialsError) -> any CredentialsProvider {
            let source: any CredentialsSource
            switch profile {
            case .accessKey(let credentials):
                return StaticCredentialsProvider(credentials)
            case .ramRole(let inner, let role):
                source = AssumeRoleSource(
                    name: name, sourceCredentials: try provider(for: inner, name: name + "/source", onRefresh: nil), roleArn: role.roleArn,
                    sessionName: role.sessionName ?? value(Self.sessionNameVariable), durationSeconds: role.durationSeconds ?? 3600,
                    policy: role.policy, externalId: role.externalId,
                    endpoint: try STSEndpoint.resolve(environment: environment, region: role.stsRegion, vpc: role.enableVPC))
            case .oidcRole(let oidc):
                source = OIDCRoleSource(
                    name: name, roleArn: oidc.roleArn, providerArn: oidc.providerArn, tokenFile: oidc.tokenFile,
                    sessionName: oidc.sessionName ?? value(Self.sessionNameVariable), durationSeconds: oidc.durationSeconds ?? 3600,
                    policy: oidc.policy, endpoint: try STSEndpoint.resolve(environment: environment, region: oidc.stsRegion, vpc: oidc.enableVPC))
            case .ecsRamRole(let roleName):
                source = ECSMetadataSource(
                    name: name, baseURL: value(CredentialsLoader.metadataURLVariable) ?? ECSMetadataSource.defaultURL,
                    roleName: roleName ?? value(Self.ecsRoleVariable), v1Disabled: Self.imdsV1DisabledVariables.contains { isTrue($0) })
            }
            return RefreshingCredentialsProvider(source: source, onRefresh: onRefresh)
        }

        // MARK: - Reading the environment

        /// A variable's value; empty counts as not set.
        func value(_ name: String) -> String? {
            environment[name].flatMap { $0.isEmpty ? nil : $0 }
        }

        /// Whether a variable is `true` (any case).
        func isTrue(_ name: String) -> Bool {
            value(name)?.lowercased() == "true"
        }

        static func isFixed(_ link: Link) -> Bool {
            link.provider is StaticCredentialsProvider
        }
    }
}
