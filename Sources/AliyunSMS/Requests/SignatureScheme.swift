/// Which signature a request carries.
public enum SignatureScheme: String, Sendable, CaseIterable {
    /// HMAC-SHA1, SignatureVersion 1.0, in the query.
    case v1
    /// ACS3-HMAC-SHA256, in headers.
    case v3
}
