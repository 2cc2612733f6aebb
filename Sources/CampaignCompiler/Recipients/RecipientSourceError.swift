import YAMLSyntax

/// A failure reading a recipient source: the file is missing or unreadable, or its content stops
/// being readable at `position` (a wrong encoding, an unclosed quote, a line that is not JSON).
public struct RecipientSourceError: Error, Sendable, Hashable {
    /// What kind of failure.
    public enum Code: Sendable, Hashable {
        case missing, unreadable, empty, encoding, unclosedQuote, notAnObject, query
        /// The path leads outside the folders the campaign may read.
        case outside
        /// A FIFO, device, socket, folder or system file.
        case notRegularFile
        /// Over the size limit.
        case tooLarge
        /// A NUL byte: not a text file.
        case nulByte
        /// A row or line longer than any recipient row can be.
        case longRow
        /// A SQLite query that ran out of time or memory.
        case queryLimit
    }

    /// What kind of failure.
    public var code: Code
    /// What happened, in words, without any row's content.
    public var message: String
    /// Where reading stopped, if the failure is inside the file.
    public var position: SourcePosition?
    /// The error underneath, where there is one (a failed read).
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, at position: SourcePosition? = nil, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.position = position
        self.cause = cause
    }

    /// Errors are equal by code, message and position (the cause is not compared).
    public static func == (lhs: RecipientSourceError, rhs: RecipientSourceError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.position == rhs.position
    }

    /// Hashes the code, message and position.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
        hasher.combine(position)
    }
}
