/// What went wrong setting the emulator up: the key pair it accepts, its record file, the
/// campaigns and configuration it learns its sign names and templates from, or its address.
public struct EmulatorError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case recordUnopenable, recordUnusable, recordNotWritten, campaignHasErrors, configurationUnreadable
            case keyPairMissing, secretFileUnreadable, listenFailed
        }

        private let value: Value

        /// The record file could not be made or opened.
        public static let recordUnopenable = Code(value: .recordUnopenable)
        /// The file opened is not a record the emulator can use.
        public static let recordUnusable = Code(value: .recordUnusable)
        /// An accepted request could not be recorded.
        public static let recordNotWritten = Code(value: .recordNotWritten)
        /// A campaign file to learn from has errors (`path` names it).
        public static let campaignHasErrors = Code(value: .campaignHasErrors)
        /// The JSON configuration file could not be read as a JSON object.
        public static let configurationUnreadable = Code(value: .configurationUnreadable)
        /// No access key pair to accept was given or found in the environment.
        public static let keyPairMissing = Code(value: .keyPairMissing)
        /// The file said to hold the secret to accept could not be read (`path` names it).
        public static let secretFileUnreadable = Code(value: .secretFileUnreadable)
        /// The server could not listen on its address.
        public static let listenFailed = Code(value: .listenFailed)

        /// The code's name.
        public var description: String {
            switch value {
            case .recordUnopenable: "record unopenable"
            case .recordUnusable: "record unusable"
            case .recordNotWritten: "record not written"
            case .campaignHasErrors: "campaign has errors"
            case .configurationUnreadable: "configuration unreadable"
            case .keyPairMissing: "key pair missing"
            case .secretFileUnreadable: "secret file unreadable"
            case .listenFailed: "listen failed"
            }
        }
    }

    /// What went wrong.
    public var code: Code
    /// In words, with the cause's own words where it has them: `cannot open the record 'r.db': …`.
    public var message: String
    /// The file concerned.
    public var path: String?
    /// The underlying error, when there is one.
    public var cause: (any Error)?

    /// Creates an error.
    public init(code: Code, message: String, path: String? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.cause = cause
    }

    /// The message.
    public var description: String { message }
}

/// The record's errors are the emulator's.
public typealias EmulatorRecordError = EmulatorError
