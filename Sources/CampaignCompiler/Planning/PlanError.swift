/// A failure of the environment while planning or reading a plan (a file that cannot be read or
/// written, a plan that was damaged), or a compile that was stopped.
public struct PlanError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What kind of failure: the stable part callers match on.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case failed, unreadable, unwritable, damaged, cancelled
        }

        private let value: Value

        /// A failure without a kind of its own.
        public static let failed = Code(value: .failed)
        /// An input or a plan could not be read.
        public static let unreadable = Code(value: .unreadable)
        /// The plan could not be written or moved into place.
        public static let unwritable = Code(value: .unwritable)
        /// A plan file that is cut short, edited or not a plan.
        public static let damaged = Code(value: .damaged)
        /// The compile was stopped: its task was cancelled.
        public static let cancelled = Code(value: .cancelled)

        /// The code's name.
        public var description: String { value.rawValue }
    }

    /// What kind of failure.
    public var code: Code
    /// What went wrong, in words.
    public var description: String
    /// The error underneath, where there is one.
    public var cause: (any Error & Sendable)?

    /// What went wrong, in words (the `description`).
    public var message: String { description }

    /// An error described by `description`, of kind `code`, caused by `cause`.
    public init(_ description: String, code: Code = .failed, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.description = description
        self.cause = cause
    }

    /// The compile was stopped: its task was cancelled.
    public static let cancelled = PlanError("the plan was not finished: a stop was asked for", code: .cancelled)

    /// Errors are equal by code and text (the cause is not compared).
    public static func == (lhs: PlanError, rhs: PlanError) -> Bool {
        lhs.code == rhs.code && lhs.description == rhs.description
    }
}
