import YAMLSyntax

/// One kind of recipient source, everything that differs between kinds: its precise reader (a
/// `RecipientSource`), where its chunks come from, and its chunk scanner for the fast reader.
///
/// Each format lives in its own folder (`CSV/`, `JSONLines/`, `SQLite/`) with its reader and its
/// scanner; `RecipientSourceSpec.Kind.format` is the one place a kind is switched on, and the
/// campaign decoder asks the format which keys an entry takes. Adding a format means one folder
/// and one case (in `Kind`, named by the campaign's key, and in `Kind.format`).
protocol SourceFormat: Sendable {
    /// Whether rows are read by key (JSON Lines): a row has a field per column asked for, and the
    /// columns are the keys; otherwise by position, with as many fields as the header has columns.
    var keyed: Bool { get }

    /// Whether a source entry may name an `encoding:` (text files whose encoding varies).
    var takesEncoding: Bool { get }

    /// Whether a source entry must give a `query:` (a database).
    var needsQuery: Bool { get }

    /// The precise reader of `spec`, reading `columns` where the format reads by key.
    func makeSource(_ spec: RecipientSourceSpec, columns: [String], access: SourceAccess, campaignPath: String) -> any RecipientSource

    /// Where diagnostics about the header's columns point.
    func headerLocation(_ spec: RecipientSourceSpec, header: RecipientHeader, campaignPath: String) -> SourceLocation

    /// The pieces of the source for the fast reader, of about `target` bytes each.
    func feed(_ spec: RecipientSourceSpec, access: SourceAccess, campaignPath: String, target: Int) throws(RecipientSourceError) -> any PieceFeed

    /// Where the rows start in the first piece (after a header record) and on which line; nil
    /// when the fast reader cannot find it there.
    func rowsStart(in piece: ChunkFeed.Piece) -> (offset: Int, line: Int)?

    /// Scans `bytes[start...]` into `chunk`, checking each row through `row`; `crFinal` says a
    /// carriage return at the very end is a whole line break.
    func scan(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, eof: Bool, crFinal: Bool, row: inout RowBuilder, into chunk: inout ScannedChunk)

    /// The row that starts at `start`, as the precise reader reads it (for diagnostics and values).
    func preciseRow(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, line: Int, columns: [String]) throws(RecipientSourceError) -> RecipientRow?

    /// The precise reader over `bytes[offset...]`, from `line`: each row goes to `row` (false
    /// stops), until the text ends or a record runs past it.
    func preciseRows<Failure: Error>(_ bytes: [UInt8], from offset: Int, line: Int, isFinal: Bool, columns: [String], columnCount: Int,
                                     row: (RecipientRow) throws(Failure) -> Bool) throws(Failure) -> PreciseOutcome

    /// The error for a record longer than any recipient row, starting on `line`.
    func tooLong(line: Int) -> RecipientSourceError

    /// Where reading stopped when it failed after `carry`, an unfinished record from `line`.
    func stopPosition(_ carry: [UInt8], line: Int, columnCount: Int) -> SourcePosition
}

extension SourceFormat {
    /// UTF-8 only.
    var takesEncoding: Bool { false }

    /// A file, not a database.
    var needsQuery: Bool { false }

    /// The header line, in the source file.
    func headerLocation(_ spec: RecipientSourceSpec, header: RecipientHeader, campaignPath: String) -> SourceLocation {
        SourceLocation(file: spec.resolvedPath, range: header.range)
    }

    /// The start of the unfinished record.
    func stopPosition(_ carry: [UInt8], line: Int, columnCount: Int) -> SourcePosition {
        SourcePosition(line: line, column: 1)
    }
}
