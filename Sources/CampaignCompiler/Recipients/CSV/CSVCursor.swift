import YAMLSyntax

/// Where the CSV parser stands: the line and column (in Unicode scalars) of the next byte.
struct CSVCursor: Sendable, Hashable {
    var line = 1
    var column = 1
}
