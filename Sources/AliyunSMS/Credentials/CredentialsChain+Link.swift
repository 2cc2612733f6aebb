extension CredentialsChain {
    /// One place the chain looks: a provider, or the reason this place has nothing (a variable
    /// not set, a file that does not exist), found without fetching anything.
    public struct Link: Sendable, CustomStringConvertible {
        /// The name the SDKs report: "env", "oidc_role_arn", "cli_profile/ram_role_arn",
        /// "profile/access_key", "ecs_ram_role", "credentials_uri".
        public var name: String
        /// Where its credentials come from; nil when it has none.
        public var provider: (any CredentialsProvider)?
        /// Why it has none, when `provider` is nil.
        public var reason: String?
        /// Whether the link is looked at without being asked for (the ECS metadata service, on
        /// every machine): its failure to fetch says only that it is not there.
        public var implicit = false

        /// A link that asks `provider`.
        public init(name: String, provider: any CredentialsProvider) {
            self.name = name
            self.provider = provider
            reason = nil
        }

        /// A link with nothing, and why.
        public init(name: String, absent reason: String) {
            self.name = name
            provider = nil
            self.reason = reason
        }

        public var description: String {
            provider == nil ? "\(name): \(reason ?? "nothing")" : name
        }
    }
}
