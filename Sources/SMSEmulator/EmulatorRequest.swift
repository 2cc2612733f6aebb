/// A request as the server received it.
public struct EmulatorRequest: Sendable {
    /// The method (`POST`).
    public var method: String
    /// The request target, query included.
    public var uri: String
    /// The header fields in the order received, names lowercased.
    public var headers: [(String, String)]
    /// The body.
    public var body: [UInt8]

    /// Creates a request.
    public init(method: String, uri: String, headers: [(String, String)], body: [UInt8]) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
    }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name }?.1
    }
}
