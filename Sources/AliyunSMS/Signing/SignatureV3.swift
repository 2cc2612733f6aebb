import Crypto

/// The ACS3-HMAC-SHA256 signature: a canonical request over method, path, query, signed headers
/// and the body's hash; its hash signed with HMAC-SHA256.
public enum SignatureV3 {
    /// The algorithm name that starts the string to sign and the Authorization header.
    public static let algorithm = "ACS3-HMAC-SHA256"

    /// The canonical request and the `;`-joined signed header names.
    public static func canonicalRequest(method: String, path: String = "/", query: [(String, String)], headers: [(String, String)], payloadHash: String) -> (request: String, signedHeaders: String) {
        let canonicalQuery = PercentEncoding.form(SignatureV1.sortedByName(query))
        let normalised = headers
            .map { ($0.0.lowercased(), $0.1.strippingEdges(" \t")) }
            .sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
        let canonicalHeaders = normalised.map { "\($0.0):\($0.1)\n" }.joined()
        let signedHeaders = normalised.map(\.0).joined(separator: ";")
        let request = [method, path, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].joined(separator: "\n")
        return (request, signedHeaders)
    }

    /// `ACS3-HMAC-SHA256\n` and the hex SHA-256 of the canonical request.
    public static func stringToSign(canonicalRequest: String) -> String {
        algorithm + "\n" + hexSHA256(Array(canonicalRequest.utf8))
    }

    /// Hex HMAC-SHA256 keyed with the secret itself.
    public static func signature(stringToSign: String, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return hex(Array(mac))
    }

    /// The Authorization header's value.
    public static func authorization(accessKeyId: String, signedHeaders: String, signature: String) -> String {
        "\(algorithm) Credential=\(accessKeyId),SignedHeaders=\(signedHeaders),Signature=\(signature)"
    }

    /// Lower-case hex SHA-256 of `bytes`.
    public static func hexSHA256(_ bytes: [UInt8]) -> String {
        hex(Array(SHA256.hash(data: bytes)))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
