import Crypto
import Foundation

/// The MNS request signature (the REST style of Message Service): `Authorization: MNS
/// <AccessKeyId>:<Base64(HMAC-SHA1(secret, string-to-sign))>` over the method, `Content-MD5`,
/// `Content-Type`, `Date`, the sorted `x-mns-` headers and the resource as sent. The temporary
/// token's `security-token` header is sent beside it, unsigned, as both official SDKs do. Pure
/// functions: the client signs with them and a server can check with them.
public enum MNSSignature {
    /// The `x-mns-version` every request carries.
    public static let version = "2015-06-06"
    /// `Content-Type` of a request with an XML body.
    public static let xmlContentType = "text/xml;charset=UTF-8"

    /// The string to sign: `METHOD\nCONTENT-MD5\nCONTENT-TYPE\nDATE\n`, then every `x-mns-` header
    /// (name lower-cased, sorted) as `name:value\n`, then the resource (path and query as sent).
    /// Absent headers are empty strings; their newlines stay.
    public static func stringToSign(method: String, contentMD5: String, contentType: String, date: String,
                                    headers: [(String, String)], resource: String) -> String {
        let mns = headers.map { ($0.0.lowercased(), $0.1) }.filter { $0.0.hasPrefix("x-mns-") }
            .sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        var text = "\(method.uppercased())\n\(contentMD5)\n\(contentType)\n\(date)\n"
        for (name, value) in mns { text += "\(name):\(value)\n" }
        return text + resource
    }

    /// Base64 of HMAC-SHA1 of `stringToSign` keyed with `secret`.
    public static func signature(stringToSign: String, secret: Secret) -> String {
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Array(stringToSign.utf8), using: SymmetricKey(data: Array(secret.value.utf8)))
        return Data(mac).base64EncodedString()
    }

    /// `MNS <accessKeyId>:<signature>`.
    public static func authorization(accessKeyId: String, signature: String) -> String {
        "MNS \(accessKeyId):\(signature)"
    }

    /// The `Date` header: `EEE, dd MMM yyyy HH:mm:ss GMT` in English, whatever the locale.
    public static func date(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }

    /// `Content-MD5` as RFC 1864 has it (and GO-MNS sends it): Base64 of the 16-byte digest.
    public static func contentMD5(_ body: [UInt8]) -> String {
        Data(Insecure.MD5.hash(data: body)).base64EncodedString()
    }

    /// The headers of one request signed with `token`: `date`, `x-mns-version`, for a body
    /// `content-type` and `content-md5`, then `authorization` and the unsigned `security-token`.
    /// `resource` is the path with its query exactly as sent.
    public static func headers(method: String, resource: String, body: [UInt8], token: MNSQueueToken, date: Date) -> [(String, String)] {
        var headers: [(String, String)] = [("date", Self.date(date)), ("x-mns-version", version)]
        var md5 = ""
        var type = ""
        if !body.isEmpty {
            md5 = contentMD5(body)
            type = xmlContentType
            headers += [("content-type", type), ("content-md5", md5)]
        }
        let text = stringToSign(method: method, contentMD5: md5, contentType: type, date: headers[0].1, headers: headers, resource: resource)
        headers.append(("authorization", authorization(accessKeyId: token.accessKeyId, signature: signature(stringToSign: text, secret: token.accessKeySecret))))
        headers.append(("security-token", token.securityToken.value))
        return headers
    }
}
