import CampaignCompiler

/// A store that cannot be used: lost, damaged, foreign, from a newer salvo, or failing. Never
/// recreated silently: the user decides.
public struct RunStoreError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public struct Code: Hashable, Sendable {
        private enum Kind: Hashable, Sendable { case lost, damaged, foreign, newer, exists, io, unavailable, denied, taken }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }
        /// A plan was started and its state is gone (deleted, emptied).
        public static let lost = Code(.lost)
        /// The state cannot be read as it should.
        public static let damaged = Code(.damaged)
        /// Not a salvo state.
        public static let foreign = Code(.foreign)
        /// Written by a newer salvo.
        public static let newer = Code(.newer)
        /// A run was created where one exists.
        public static let exists = Code(.exists)
        /// Reading or writing failed.
        public static let io = Code(.io)
        /// The store cannot be reached now (a database down or restarting): try again later.
        public static let unavailable = Code(.unavailable)
        /// The store refused us: a wrong password, a missing permission.
        public static let denied = Code(.denied)
        /// Another runner holds a batch this one meant to change (its lease ran out).
        public static let taken = Code(.taken)
    }

    /// What kind of failure.
    public var code: Code
    /// What happened, in words for the user.
    public var message: String
    /// The underlying error, if any.
    public var cause: (any Error & Sendable)?

    /// An error.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { message }
}
