extension SMSOperation {
    /// Why an operation or an endpoint cannot be built; a bug in the caller or a mistyped
    /// endpoint, not a problem in the user's recipients.
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        /// What cannot be built.
        public enum Code: Sendable, Hashable {
            /// The operation's parameters break the API's limits.
            case operation
            /// The endpoint URL cannot be parsed.
            case endpoint
        }

        /// What cannot be built.
        public var code: Code
        /// What is wrong, in words.
        public var message: String

        /// Creates an error.
        public init(_ code: Code, _ message: String) {
            self.code = code
            self.message = message
        }

        public var description: String { message }
    }
}
