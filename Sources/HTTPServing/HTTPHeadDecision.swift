/// What to do with a request, judged from its head alone.
public enum HTTPHeadDecision: Sendable {
    /// Read the body, up to `bodyLimit` bytes (past them the service's `refuseTooLarge`), and
    /// hand the whole request to the service. A client that expects `100-continue` is told to go on.
    case read(bodyLimit: Int)
    /// Answer this at once, the body never read, and close the connection.
    case refuse(HTTPServiceResponse)
}
