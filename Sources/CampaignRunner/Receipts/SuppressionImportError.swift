/// A suppression file that cannot be read at all (its rows' problems are listed, not thrown).
public struct SuppressionImportError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public struct Code: Hashable, Sendable {
        fileprivate enum Kind { case noPhoneColumn, source }
        fileprivate let kind: Kind
        /// The file has no `phone` column.
        public static let noPhoneColumn = Code(kind: .noPhoneColumn)
        /// The file cannot be read as CSV (missing, unreadable, a quote left open).
        public static let source = Code(kind: .source)
    }

    /// What kind of failure.
    public var code: Code
    /// What went wrong, naming the file.
    public var message: String
    /// The error of the CSV reader, if any.
    public var cause: (any Error)?

    /// An error of `code`.
    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The message.
    public var description: String { message }
}
