/// What to answer, after how long; or to close the connection without answering.
public struct EmulatorReply: Sendable {
    /// The HTTP status.
    public var status: Int
    /// Header fields (`content-type`, and `x-acs-retry-after` under flow control).
    public var headers: [(String, String)]
    /// The JSON body.
    public var body: [UInt8]
    /// How long to wait before answering (latency and jitter).
    public var delay: Duration
    /// Close the connection without answering (an ambiguous fault).
    public var dropConnection: Bool
}
