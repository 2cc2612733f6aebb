/// A request's head as a service sees it: method, target and header fields.
public struct HTTPServiceHead: Sendable {
    /// The method, as sent (`POST`).
    public var method: String
    /// The request target, query included (`/sms-report?x=1`).
    public var uri: String
    /// The header fields in the order sent, names lowercased.
    public var headers: [(String, String)]

    /// Creates a head; header names are lowercased.
    public init(method: String, uri: String, headers: [(String, String)]) {
        self.method = method
        self.uri = uri
        self.headers = headers.map { ($0.0.lowercased(), $0.1) }
    }

    /// The first value of the field `name` (lowercase), if sent.
    public func header(_ name: String) -> String? {
        headers.first { $0.0 == name }?.1
    }
}
