/// An answer: status, header fields and body; or no answer at all (the connection is closed).
///
/// The listener adds `content-length`, and `connection: close` when it closes the connection.
public struct HTTPServiceResponse: Sendable {
    /// The status code.
    public var status: Int
    /// Header fields, in order (not `content-length`, which the listener adds).
    public var headers: [(String, String)]
    /// The body.
    public var body: [UInt8]
    /// Close the connection after this answer, even if the client asked to keep it.
    public var closesConnection: Bool
    /// Whether anything is written: false closes the connection without an answer.
    public private(set) var answers = true

    /// Creates an answer.
    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = [], closesConnection: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.closesConnection = closesConnection
    }

    /// No answer: the connection is closed (a fault a server may show, or a body too large to
    /// be worth one).
    public static var noAnswer: HTTPServiceResponse {
        var response = HTTPServiceResponse(status: 0, closesConnection: true)
        response.answers = false
        return response
    }
}
