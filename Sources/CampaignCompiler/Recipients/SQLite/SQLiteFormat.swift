import YAMLSyntax

/// SQLite queries: read by `SQLiteSource`; the fast reader scans the query's rows as
/// `FieldRecords` (`SQLiteChunkScanner`), a query's row number standing for its line.
struct SQLiteFormat: SourceFormat {
    var keyed: Bool { false }

    /// The rows are a query's result.
    var needsQuery: Bool { true }

    func makeSource(_ spec: RecipientSourceSpec, columns: [String], access: SourceAccess, campaignPath: String) -> any RecipientSource {
        SQLiteSource(path: spec.resolvedPath, query: spec.query?.value ?? "", access: access, campaignPath: campaignPath)
    }

    /// A database has no header line to point at; its columns come from the query.
    func headerLocation(_ spec: RecipientSourceSpec, header: RecipientHeader, campaignPath: String) -> SourceLocation {
        SourceLocation(file: campaignPath, range: spec.query?.range ?? spec.path.range)
    }

    func feed(_ spec: RecipientSourceSpec, access: SourceAccess, campaignPath: String, target: Int) throws(RecipientSourceError) -> any PieceFeed {
        let source = SQLiteSource(path: spec.resolvedPath, query: spec.query?.value ?? "", access: access, campaignPath: campaignPath)
        return SQLiteFeed(query: try source.openQuery(), target: target)
    }

    /// From the first record: the columns are not among them.
    func rowsStart(in piece: ChunkFeed.Piece) -> (offset: Int, line: Int)? {
        (0, 1)
    }

    func scan(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, eof: Bool, crFinal: Bool, row: inout RowBuilder, into chunk: inout ScannedChunk) {
        SQLiteChunkScanner.scan(bytes, row: &row, into: &chunk)
    }

    func preciseRow(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, line: Int, columns: [String]) throws(RecipientSourceError) -> RecipientRow? {
        FieldRecords.row(bytes, at: start, line: line).0
    }

    /// Whole records only: the fast reader never gives these up, and pieces end between records.
    func preciseRows<Failure: Error>(_ bytes: [UInt8], from offset: Int, line: Int, isFinal: Bool, columns: [String], columnCount: Int,
                                     row: (RecipientRow) throws(Failure) -> Bool) throws(Failure) -> PreciseOutcome {
        var index = offset
        var number = line
        while index + 4 <= bytes.count {
            let (parsed, next) = bytes.withUnsafeBufferPointer { FieldRecords.row($0, at: index, line: number) }
            guard try row(parsed) else { return .stopped }
            index = next
            number += 1
        }
        return .ended(line: number)
    }

    func tooLong(line: Int) -> RecipientSourceError {
        RecipientSourceError(.longRow, "has a line over 1 MiB; JSON Lines holds one small object per line", at: SourcePosition(line: line, column: 1))
    }
}
