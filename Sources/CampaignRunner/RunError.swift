import CampaignCompiler

/// Why a run could not go on, besides its store (`RunStoreError`) and the provider (`RunOutcome`):
/// the task was cancelled, the plan could not be made or taken in, a request could not be built.
public struct RunError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public struct Code: Hashable, Sendable {
        private enum Kind: Hashable, Sendable { case cancelled, plan, request }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }
        /// A stop was asked for (the task was cancelled) while planning.
        public static let cancelled = Code(.cancelled)
        /// The plan could not be made, read or taken into the store.
        public static let plan = Code(.plan)
        /// A plan request could not be built into a provider request, or is missing.
        public static let request = Code(.request)
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

    /// A planning failure, as the runner reports it (a stop asked for is `cancelled`).
    init(planning error: PlanError) {
        self.init(error.code == .cancelled ? .cancelled : .plan, error.description, cause: error)
    }

    public var description: String { message }
}
