import YAMLSyntax

/// CSV files: read by `CSVSource` (records by `CSVRecordParser`), scanned by `CSVChunkScanner`.
struct CSVFormat: SourceFormat {
    var keyed: Bool { false }

    /// UTF-8 or GB18030 (spreadsheets exported in China).
    var takesEncoding: Bool { true }

    func makeSource(_ spec: RecipientSourceSpec, columns: [String], access: SourceAccess, campaignPath: String) -> any RecipientSource {
        CSVSource(path: spec.resolvedPath, encoding: spec.encoding, access: access, campaignPath: campaignPath)
    }

    func feed(_ spec: RecipientSourceSpec, access: SourceAccess, campaignPath: String, target: Int) throws(RecipientSourceError) -> any PieceFeed {
        try ChunkFeed(path: spec.resolvedPath, gb18030: spec.encoding == .gb18030, access: access, campaignPath: campaignPath, target: target)
    }

    /// After the header record, which `open()` reads.
    func rowsStart(in piece: ChunkFeed.Piece) -> (offset: Int, line: Int)? {
        var cursor = CSVCursor()
        let outcome = piece.bytes.withUnsafeBufferPointer { bytes in
            CSVRecordParser.parse(bytes, from: 0, end: bytes.count, eof: piece.isFinal, cursor: &cursor, expectedFields: 8)
        }
        guard case .record(_, let next) = outcome else { return nil }
        return (next, cursor.line)
    }

    func scan(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, eof: Bool, crFinal: Bool, row: inout RowBuilder, into chunk: inout ScannedChunk) {
        CSVChunkScanner.scan(bytes, from: start, eof: eof, crFinal: crFinal || eof, row: &row, into: &chunk)
    }

    func preciseRow(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, line: Int, columns: [String]) throws(RecipientSourceError) -> RecipientRow? {
        var cursor = CSVCursor(line: line, column: 1)
        switch CSVRecordParser.parse(bytes, from: start, end: bytes.count, eof: true, cursor: &cursor, expectedFields: columns.count) {
        case .record(let row, _): return row
        case .failure(let error): throw error
        case .needMore, .end: return nil
        }
    }

    func preciseRows<Failure: Error>(_ bytes: [UInt8], from offset: Int, line: Int, isFinal: Bool, columns: [String], columnCount: Int,
                                     row: (RecipientRow) throws(Failure) -> Bool) throws(Failure) -> PreciseOutcome {
        var cursor = CSVCursor(line: line, column: 1)
        var index = offset
        while true {
            let outcome = bytes.withUnsafeBufferPointer { buffer in
                CSVRecordParser.parse(buffer, from: index, end: buffer.count, eof: isFinal, cursor: &cursor, expectedFields: columnCount)
            }
            switch outcome {
            case .record(let parsed, let next):
                if next - index > RowRules.maxRecordBytes { return .failed(tooLong(line: parsed.line)) }
                index = next
                guard try row(parsed) else { return .stopped }
            case .end:
                return .ended(line: cursor.line)
            case .needMore(let next):
                return next == bytes.count ? .ended(line: cursor.line) : .unfinished(offset: next, line: cursor.line)
            case .failure(let error):
                return .failed(error)
            }
        }
    }

    func tooLong(line: Int) -> RecipientSourceError {
        RecipientSourceError(.longRow, "has a row over 1 MiB starting here; a closing quote may be missing, or this is not a CSV file",
                             at: SourcePosition(line: line, column: 1))
    }

    /// Where the record parser stops in the unfinished record.
    func stopPosition(_ carry: [UInt8], line: Int, columnCount: Int) -> SourcePosition {
        guard !carry.isEmpty else { return SourcePosition(line: line, column: 1) }
        var cursor = CSVCursor(line: line, column: 1)
        _ = carry.withUnsafeBufferPointer { CSVRecordParser.parse($0, from: 0, end: $0.count, eof: false, cursor: &cursor, expectedFields: columnCount) }
        return SourcePosition(line: cursor.line, column: cursor.column)
    }
}
