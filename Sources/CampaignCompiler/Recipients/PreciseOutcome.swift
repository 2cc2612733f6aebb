import YAMLSyntax

/// Where the precise reader stopped in the rest of a chunk.
enum PreciseOutcome {
    /// The text ended; the next chunk starts on `line`.
    case ended(line: Int)
    /// A record that the next chunk completes starts at `offset` on `line`.
    case unfinished(offset: Int, line: Int)
    /// The row handler asked to stop.
    case stopped
    /// The text stops being readable.
    case failed(RecipientSourceError)
}
