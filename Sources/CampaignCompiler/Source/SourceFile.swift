public import YAMLSyntax

/// A file that diagnostics point into: its path as the user named it and its lines.
public struct SourceFile: Sendable {
    /// The path as given on the command line or resolved from a campaign file.
    public var path: String
    /// The file's lines.
    public var text: SourceText

    /// Creates a source file from a path and its decoded lines.
    public init(path: String, text: SourceText) {
        self.path = path
        self.text = text
    }
}

/// A place in a named file.
public struct SourceLocation: Sendable, Hashable {
    /// The file's path as the user named it.
    public var file: String
    /// The range in that file.
    public var range: SourceRange

    /// Creates a location.
    public init(file: String, range: SourceRange) {
        self.file = file
        self.range = range
    }
}
