/// The rows of one chunk of a file as the fast reader found them: for each row where it starts
/// and on which line, whether every check passed (then its number, length and plan fragment), or
/// whether the full check must look at it. Rows that passed cost no allocation of their own.
struct ScannedChunk: Sendable {
    /// How the chunk's bytes ended.
    enum Tail: Sendable, Equatable {
        /// At a record boundary, `lines` lines after the chunk's first.
        case complete(lines: Int)
        /// Inside a record that the next chunk completes, which starts at `offset` on `line`.
        case incomplete(offset: Int, line: Int)
        /// At something only the full parser may judge (an error, or an odd record), from
        /// `offset` on `line` to the chunk's end.
        case giveUp(offset: Int, line: Int)
        /// A record longer than any recipient row, from `offset` on `line`.
        case tooLong(offset: Int, line: Int)
    }

    /// The chunk's text (UTF-8).
    var bytes: [UInt8]
    /// Whether the chunk ends the file.
    var isFinal: Bool
    /// What was found per row, and the plan fragments of the rows that passed.
    var rows: RowTable
    var tail: Tail = .complete(lines: 0)

    var rowCount: Int { rows.count }

    init(bytes: [UInt8], isFinal: Bool) {
        self.bytes = bytes
        self.isFinal = isFinal
        rows = RowTable(rows: 0, bytes: 0)
    }
}
