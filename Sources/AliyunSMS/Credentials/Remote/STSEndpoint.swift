import Foundation

/// Where STS is asked for credentials: `https://sts.aliyuncs.com`, a regional or VPC endpoint, or
/// the host (or, for tests, the full URL) `ALIBABA_CLOUD_STS_ENDPOINT` names.
public struct STSEndpoint: Sendable, Hashable {
    /// The environment variable that names the STS host (or a full `http(s)://HOST:PORT` URL).
    public static let endpointVariable = "ALIBABA_CLOUD_STS_ENDPOINT"
    /// The environment variable that names the STS region.
    public static let regionVariable = "ALIBABA_CLOUD_STS_REGION"
    /// The environment variable that, `true`, selects the region's VPC endpoint.
    public static let vpcVariable = "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED"
    /// The global endpoint.
    public static let global = STSEndpoint(url: "https://sts.aliyuncs.com")

    /// The endpoint's URL, `scheme://host[:port]` without a trailing slash.
    public var url: String

    /// The host (and port, when the URL names one), for messages.
    var host: String { RemoteHTTP.host(of: url) }

    /// The endpoint the environment and the arguments name: `ALIBABA_CLOUD_STS_ENDPOINT` first, else
    /// a region and VPC flag (arguments first, else `ALIBABA_CLOUD_STS_REGION` and
    /// `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED`), `https://sts[-vpc].<region>.aliyuncs.com`, else the
    /// global endpoint, as the official SDKs choose.
    public static func resolve(environment: [String: String], region: String? = nil, vpc: Bool? = nil) throws(CredentialsError) -> STSEndpoint {
        if let named = environment[endpointVariable]?.strippingEdges(" \t\r\n"), !named.isEmpty {
            return try parse(named, from: endpointVariable)
        }
        let vpc = if let vpc { vpc } else { try vpcEnabled(environment[vpcVariable]) }
        let given = region.flatMap { $0.isEmpty ? nil : $0 }
        guard let region = given ?? environment[regionVariable].flatMap({ $0.isEmpty ? nil : $0 }) else {
            return global
        }
        let origin = given == nil ? regionVariable : "the STS region"
        let allowed = region.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
        guard allowed, !region.hasPrefix("-"), !region.hasSuffix("-") else {
            throw CredentialsError(.invalidProfile, "\(origin) '\(region)' is not a region id (lower-case letters, digits and '-', like cn-hangzhou)")
        }
        return STSEndpoint(url: "https://\(vpc ? "sts-vpc" : "sts").\(region).aliyuncs.com")
    }

    /// `true` or `false` (any case; empty or unset is false).
    private static func vpcEnabled(_ value: String?) throws(CredentialsError) -> Bool {
        guard let value = value?.strippingEdges(" \t\r\n"), !value.isEmpty else { return false }
        switch value.lowercased() {
        case "true": return true
        case "false": return false
        default: throw CredentialsError(.invalidProfile, "\(vpcVariable) is '\(value)'; it must be true or false")
        }
    }

    /// A host (`sts.cn-shanghai.aliyuncs.com`, reached over HTTPS) or a full `http(s)://HOST[:PORT]` URL.
    static func parse(_ text: String, from origin: String) throws(CredentialsError) -> STSEndpoint {
        let bad = "\(origin) is '\(text)'; it must be a host (sts.cn-hangzhou.aliyuncs.com) or an http(s)://HOST[:PORT] URL"
        let full = text.contains("://") ? text : "https://" + text
        guard let parts = URLComponents(string: full), let scheme = parts.scheme?.lowercased(), scheme == "https" || scheme == "http",
              let host = parts.host, !host.isEmpty, parts.user == nil, parts.query == nil, parts.fragment == nil,
              parts.path.isEmpty || parts.path == "/", !host.contains(where: { $0 == " " || $0 == "/" }) else {
            throw CredentialsError(.invalidProfile, bad)
        }
        let shown = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return STSEndpoint(url: "\(scheme)://\(shown)\(parts.port.map { ":\($0)" } ?? "")")
    }
}
