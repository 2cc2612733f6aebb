import Foundation

/// Reads credentials from what STS, the instance metadata service or a credentials URI answered,
/// and says in words what was wrong with an answer that holds none. Its words quote no secret,
/// token or body: only codes, messages STS wrote for people, statuses and sizes.
enum CredentialsAnswer {
    /// The credentials in an STS answer (`{"Credentials":{...}}`), or why there are none: a refusal
    /// (`AssumeRole refused by sts.aliyuncs.com: Code: Message`), an answer that is not JSON, or a
    /// JSON answer without credentials. `redacting` lists strings sent with the request that must
    /// not come back in a message (a security token, an OIDC token).
    static func sts(_ response: HTTPResponse, action: String, host: String, redacting secrets: [String] = []) throws(CredentialsError) -> Credentials {
        guard let object = json(response.body) else {
            throw CredentialsError(.unavailable, "\(action) at \(host) answered HTTP \(response.status) with \(describeBody(response)), not JSON")
        }
        guard response.status == 200 else {
            let code = object["Code"] as? String ?? "HTTP \(response.status)"
            let message = (object["Message"] as? String).map { ": " + redact($0, secrets) } ?? ""
            throw CredentialsError(refusal(status: response.status, code: code), "\(action) refused by \(host): \(redact(code, secrets))\(message)")
        }
        guard let fields = object["Credentials"] as? [String: Any] else {
            throw CredentialsError(.unavailable, "\(action) at \(host) answered without Credentials")
        }
        return try credentials(fields, where: "\(action) at \(host)")
    }

    /// The credentials in an instance metadata or credentials URI answer (`{"Code":"Success",...}`),
    /// or why there are none. `place` names what was asked where ("GET http://100.100.100.200/...").
    static func metadata(_ response: HTTPResponse, place: String) throws(CredentialsError) -> Credentials {
        guard response.status == 200 else {
            throw CredentialsError(refusal(status: response.status, code: ""), "\(place) answered HTTP \(response.status)")
        }
        guard let object = json(response.body) else {
            throw CredentialsError(.unavailable, "\(place) answered \(describeBody(response)), not JSON")
        }
        guard let code = object["Code"] as? String, code == "Success" else {
            let code = (object["Code"] as? String).map { "'\($0)'" } ?? "missing"
            throw CredentialsError(.unavailable, "\(place) answered Code \(code), not 'Success'")
        }
        return try credentials(object, where: place)
    }

    /// A refusal (a 4xx that is not throttling: the role, its trust or the token is wrong) or a
    /// place that could not answer now (5xx, 429, throttling: try again later).
    static func refusal(status: Int, code: String) -> CredentialsError.Code {
        let throttled = status == 429 || code.hasPrefix("Throttling") || code.hasPrefix("ServiceUnavailable")
        return (400..<500).contains(status) && !throttled && status != 408 ? .refused : .unavailable
    }

    /// AccessKeyId, AccessKeySecret, SecurityToken and Expiration (UTC `yyyy-MM-ddTHH:mm:ssZ`).
    private static func credentials(_ fields: [String: Any], where place: String) throws(CredentialsError) -> Credentials {
        func field(_ name: String) throws(CredentialsError) -> String {
            guard let value = fields[name] as? String, !value.isEmpty else {
                throw CredentialsError(.unavailable, "\(place) answered credentials without \(name)")
            }
            return value
        }
        let id = try field("AccessKeyId")
        let secret = try field("AccessKeySecret")
        let token = try field("SecurityToken")
        let stamp = try field("Expiration")
        guard let expiration = AliyunTime.parseTimestamp(stamp) else {
            throw CredentialsError(.unavailable, "\(place) answered an Expiration that is not a UTC time like 2026-01-31T12:00:00Z: '\(stamp.prefix(40))'")
        }
        return Credentials(accessKeyId: id, accessKeySecret: secret, securityToken: token, expiration: expiration)
    }

    /// The body as a JSON object, or nil.
    private static func json(_ body: [UInt8]) -> [String: Any]? {
        guard !body.isEmpty else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }

    /// What a body is, without quoting it: `an empty body`, `text/html (1234 bytes)`.
    static func describeBody(_ response: HTTPResponse) -> String {
        guard !response.body.isEmpty else { return "an empty body" }
        let type = response.header("content-type").map { $0.split(separator: ";").first.map(String.init) ?? $0 } ?? "a body"
        return "\(type.strippingEdges(" ")) (\(response.body.count) bytes)"
    }

    /// `text` with every occurrence of each secret replaced by `<redacted>`.
    private static func redact(_ text: String, _ secrets: [String]) -> String {
        secrets.filter { $0.count >= 4 }.reduce(text) { $0.replacingOccurrences(of: $1, with: "<redacted>") }
    }
}
