/// What keeps a listener up when clients are slow or many.
public struct HTTPLimits: Sendable, Hashable {
    /// How long a request's head may take to arrive, from its first byte (or from the connection,
    /// for its first request); a connection whose head is not complete by then is closed.
    public var headerTimeout: Duration = .seconds(10)
    /// How long a connection may stay silent: between requests (keep-alive), and between the
    /// reads of a request's body.
    public var idleTimeout: Duration = .seconds(60)
    /// Connections served at once; past them a new connection is answered 503 and closed.
    public var maxConnections = 512

    /// The defaults: 10 s for a head, 60 s of silence, 512 connections.
    public init() {}
}
