import Foundation

/// A request read whole: its head and its body.
public struct HTTPServiceRequest: Sendable {
    /// The head, as judged.
    public var head: HTTPServiceHead
    /// The body, at most the limit the head was given.
    public var body: Data

    /// Creates a request.
    public init(head: HTTPServiceHead, body: Data) {
        self.head = head
        self.body = body
    }
}
