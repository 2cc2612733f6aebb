import Foundation

/// Chooses where a run's credentials come from, in the official SDKs' order (the one place a
/// provider is chosen):
///
/// 1. `env`: `ALIBABA_CLOUD_ACCESS_KEY_ID` and `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, optional
///    `ALIBABA_CLOUD_SECURITY_TOKEN`;
/// 2. `oidc_role_arn`: `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` and
///    `ALIBABA_CLOUD_OIDC_TOKEN_FILE` (RRSA);
/// 3. `cli_profile/<mode>`: the profile `ALIBABA_CLOUD_PROFILE` names, else `current`, of
///    `~/.aliyun/config.json` (unless `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`);
/// 4. `profile/<type>`: the section `ALIBABA_CLOUD_PROFILE` names, else `[default]`, of the INI
///    file `ALIBABA_CLOUD_CREDENTIALS_FILE` names, else `~/.alibabacloud/credentials.ini`, else
///    `~/.alibabacloud/credentials`;
/// 5. `ecs_ram_role`: the instance metadata service (unless
///    `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true`);
/// 6. `credentials_uri`: `ALIBABA_CLOUD_CREDENTIALS_URI`.
///
/// Deliberate deviations from the SDKs, which would fall through to the next link: half an
/// AccessKey pair in the environment is an error at once (`.incomplete`), and so is a profile
/// file that cannot be used as written (`.invalidProfile`: it does not parse, an unknown mode or
/// type, a missing field, a `source_profile` cycle, a `current` profile that is not in the file,
/// an `ALIBABA_CLOUD_PROFILE` that no profile file read has). Someone who
/// wrote a key or a profile means it; silently signing as another identity is worse. Files are
/// read up to the first link that holds a fixed key, since the later ones would never be asked.
public enum CredentialsLoader {
    /// The environment variable that holds the AccessKey id.
    public static let keyIdVariable = "ALIBABA_CLOUD_ACCESS_KEY_ID"
    /// The environment variable that holds the AccessKey secret.
    public static let secretVariable = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
    /// The environment variable that holds an STS security token.
    public static let tokenVariable = "ALIBABA_CLOUD_SECURITY_TOKEN"
    /// The environment variable that names the INI credentials file.
    public static let fileVariable = "ALIBABA_CLOUD_CREDENTIALS_FILE"
    /// The environment variable that replaces the instance metadata service's address (tests and
    /// proxies).
    public static let metadataURLVariable = "SALVO_ECS_METADATA_URL"

    /// The chain that signs a run's requests, built now from `environment` (its `HOME` too, never
    /// the process's): variables and files are read and checked here, so a malformed profile or
    /// half a key pair is an error before anything is sent; credentials are fetched at the first
    /// ask. Throws `.missing` now when no link can have any. `onRefresh` is told of every fetch
    /// and every failed refresh that kept the old credentials.
    public static func provider(environment: [String: String] = ProcessInfo.processInfo.environment,
                                onRefresh: (@Sendable (CredentialsRefresh) -> Void)? = nil) throws(CredentialsError) -> CredentialsChain {
        CredentialsChain(links: try CredentialsChain.Builder(environment: environment, onRefresh: onRefresh).links())
    }

    /// The credentials the chain holds fixed (an AccessKey in the environment or a profile),
    /// without fetching anything; an error listing the chain when its first link with credentials
    /// must fetch them (use `provider(environment:)` for those).
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws(CredentialsError) -> Credentials {
        let links = try CredentialsChain.Builder(environment: environment, onRefresh: nil).links()
        var reasons: [String] = []
        for link in links {
            guard let provider = link.provider else {
                reasons.append("\(link.name): \(link.reason ?? "nothing")")
                continue
            }
            if let fixed = (provider as? StaticCredentialsProvider)?.fixed { return fixed }
            reasons.append("\(link.name): fetched over the network, which loading fixed credentials does not do")
        }
        throw CredentialsChain.nothingFound(reasons)
    }

    /// The AccessKey of the `[default]` section of an INI credentials file, refusing a file that
    /// others can read.
    public static func loadFile(_ path: String) throws(CredentialsError) -> Credentials {
        let file = try CredentialsINIFile.read(path: path)
        guard let type = file.type(of: "default") else {
            throw CredentialsError(.noProfile, "credentials file '\(path)' has no [default] profile with access_key_id and access_key_secret")
        }
        guard case .accessKey(let credentials) = try file.credentials(profile: "default") else {
            throw CredentialsError(.noProfile, "credentials file '\(path)' has a [default] profile of type \(type), whose credentials are fetched, not read")
        }
        return credentials
    }
}
