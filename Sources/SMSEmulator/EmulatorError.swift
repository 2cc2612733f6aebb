/// What went wrong setting the emulator up: its record file, or the campaigns and configuration
/// it learns its sign names and templates from.
public struct EmulatorError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case recordUnopenable, recordUnusable, recordNotWritten, campaignHasErrors, configurationUnreadable
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

        /// The code's name.
        public var description: String {
            switch value {
            case .recordUnopenable: "record unopenable"
            case .recordUnusable: "record unusable"
            case .recordNotWritten: "record not written"
            case .campaignHasErrors: "campaign has errors"
            case .configurationUnreadable: "configuration unreadable"
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
