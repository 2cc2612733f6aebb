/// What the fast reader found about one row.
struct RowRecord {
    /// The byte offset where the row starts in its chunk.
    var start: Int32
    /// The row's line, counted from the chunk's first line (0).
    var line: Int32
    /// The message length (rows that passed): UTF-16 units, or septets where `gsm7`.
    var length: Int32
    /// Where the row's plan fragment ends in the table's bytes.
    var fragmentEnd: Int32
    /// The number's key (rows that passed): a mainland number, or an international one's value.
    var phone: UInt64
    /// The value set's key (rows that passed, when rendering with column values).
    var key: UInt64
    /// Whether every check passed.
    var clean: Bool
    /// Whether the message is an international GSM-7 one (its length in septets).
    var gsm7: Bool
}
