/// A listener that could not be started.
public struct HTTPServingError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case cannotListen
        }

        private let value: Value

        /// The address could not be bound (in use, not this machine's, not allowed).
        public static let cannotListen = Code(value: .cannotListen)

        /// The code's name.
        public var description: String {
            switch value {
            case .cannotListen: "cannot listen"
            }
        }
    }

    /// What went wrong.
    public var code: Code
    /// In words: `cannot listen on 127.0.0.1:80`.
    public var message: String
    /// The system's error, when there is one.
    public var cause: (any Error)?

    /// Creates an error.
    public init(code: Code, message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The message, then the cause: `cannot listen on 127.0.0.1:80: bind(…): Permission denied`.
    public var description: String {
        cause.map { "\(message): \($0)" } ?? message
    }
}
