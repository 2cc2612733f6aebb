/// A provider of one fixed key pair (and token): an AccessKey from the environment or the
/// credentials file. Asking it never waits and never fails.
public struct StaticCredentialsProvider: CredentialsProvider, CustomStringConvertible {
    /// The credentials it hands out.
    public var fixed: Credentials

    /// A provider of `credentials`.
    /// A provider that always hands out `credentials`.
    public init(_ credentials: Credentials) {
        fixed = credentials
    }

    public func credentials() async throws(CredentialsError) -> Credentials {
        fixed
    }

    public var description: String { "StaticCredentialsProvider(\(fixed))" }
}
