import Crypto
import Foundation

/// The RPC signature, "SignatureVersion 1.0": HMAC-SHA1 over the sorted, encoded parameters.
public enum SignatureV1 {
    /// Every parameter (query and form body, without `Signature`) sorted by name in byte order,
    /// encoded, as `name=value` joined by `&`.
    public static func canonicalQuery(_ parameters: [(String, String)]) -> String {
        PercentEncoding.form(sortedByName(parameters))
    }

    /// `METHOD&%2F&` followed by the canonical query, encoded a second time.
    public static func stringToSign(method: String, canonicalQuery: String) -> String {
        method + "&" + PercentEncoding.encode("/") + "&" + PercentEncoding.encode(canonicalQuery)
    }

    /// Base64 of HMAC-SHA1 keyed with the secret followed by `&`.
    public static func signature(stringToSign: String, secret: String) -> String {
        let key = SymmetricKey(data: Array((secret + "&").utf8))
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Array(stringToSign.utf8), using: key)
        return Data(mac).base64EncodedString()
    }

    /// Parameters sorted by the UTF-8 bytes of their names.
    static func sortedByName(_ parameters: [(String, String)]) -> [(String, String)] {
        parameters.sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
    }
}
