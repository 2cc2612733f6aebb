import Crypto
import Foundation

/// The MNS request signature (reference §2.3a), computed from a request as received:
/// `Base64(HMAC-SHA1(secret, METHOD \n CONTENT-MD5 \n CONTENT-TYPE \n DATE \n x-mns-headers RESOURCE))`.
enum MNSSignatureCheck {
    /// The string to sign: the method, the Content-MD5, Content-Type and Date values (empty when
    /// absent), every `x-mns-` header lower-cased and sorted as `name:value\n`, then the resource
    /// (path and query as sent).
    static func stringToSign(method: String, headers: [(String, String)], resource: String) -> String {
        func value(_ name: String) -> String { headers.first { $0.0.lowercased() == name }?.1 ?? "" }
        let date = headers.contains { $0.0.lowercased() == "date" } ? value("date") : value("x-mns-date")
        let mns = headers.map { ($0.0.lowercased(), $0.1) }.filter { $0.0.hasPrefix("x-mns-") }.sorted { $0.0 < $1.0 }
        return method.uppercased() + "\n" + value("content-md5") + "\n" + value("content-type") + "\n" + date + "\n"
            + mns.map { $0.0 + ":" + $0.1 + "\n" }.joined() + resource
    }

    /// The signature of `stringToSign` with `secret`.
    static func signature(stringToSign: String, secret: String) -> String {
        let code = HMAC<Insecure.SHA1>.authenticationCode(for: Data(stringToSign.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return Data(code).base64EncodedString()
    }

    /// Whether `contentMD5` is the body's MD5 as a client sends it: Base64 of the 16-byte digest
    /// (RFC 1864, the Go SDK) or Base64 of its 32 lower-case hex characters (the Python SDK).
    static func contentMD5Matches(_ contentMD5: String, body: [UInt8]) -> Bool {
        let digest = Data(Insecure.MD5.hash(data: body))
        let hex = digest.map { String(format: "%02x", $0) }.joined()
        return contentMD5 == digest.base64EncodedString() || contentMD5 == Data(hex.utf8).base64EncodedString()
    }

    /// The upper-case hex MD5 of a message body (`MessageBodyMD5`).
    static func bodyMD5(_ body: String) -> String {
        Insecure.MD5.hash(data: Data(body.utf8)).map { String(format: "%02X", $0) }.joined()
    }

    /// A `Date` header's time (`Thu, 07 Mar 2012 18:49:58 GMT`), or nil when it is not one.
    static func parseDate(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let month = months.firstIndex(of: String(parts[2])),
              let year = Int(parts[3]) else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar.date(from: DateComponents(year: year, month: month + 1, day: day, hour: clock[0], minute: clock[1], second: clock[2]))
    }
}
