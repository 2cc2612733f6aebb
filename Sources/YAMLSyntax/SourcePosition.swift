/// A place in a text file: 1-based line and 1-based column counted in Unicode scalars,
/// as libyaml counts them (`café: x` puts `x` at column 7).
public struct SourcePosition: Sendable, Hashable, Comparable {
    /// 1-based line number.
    public var line: Int
    /// 1-based column, counted in Unicode scalars.
    public var column: Int

    /// Creates a position from a 1-based line and column.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: SourcePosition, rhs: SourcePosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}

/// A half-open range of source text: `end` is the position just after the last scalar.
public struct SourceRange: Sendable, Hashable {
    /// The first scalar of the range.
    public var start: SourcePosition
    /// The position just past the last scalar of the range.
    public var end: SourcePosition

    /// Creates a range; an `end` before `start` is clamped to `start`.
    public init(start: SourcePosition, end: SourcePosition) {
        self.start = start
        self.end = max(start, end)
    }

    /// An empty range at one position.
    public init(at position: SourcePosition) {
        self.init(start: position, end: position)
    }
}
