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

    /// Creates an error.
    public init(_ code: Code, _ message: String, at position: SourcePosition? = nil) {
        self.code = code
        self.message = message
        self.position = position
    }
}
