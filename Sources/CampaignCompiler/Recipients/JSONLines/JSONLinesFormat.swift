import YAMLSyntax

/// JSON Lines files: read by `JSONLSource`, scanned by `JSONLChunkScanner`; rows are read by key.
struct JSONLinesFormat: SourceFormat {
    var keyed: Bool { true }

    func makeSource(_ spec: RecipientSourceSpec, columns: [String], access: SourceAccess, campaignPath: String) -> any RecipientSource {
        JSONLSource(path: spec.resolvedPath, columns: columns, access: access, campaignPath: campaignPath)
    }

    func feed(_ spec: RecipientSourceSpec, access: SourceAccess, campaignPath: String, target: Int) throws(RecipientSourceError) -> any PieceFeed {
        try ChunkFeed(path: spec.resolvedPath, gb18030: false, access: access, campaignPath: campaignPath, target: target)
    }

    /// From the first line: there is no header line.
    func rowsStart(in piece: ChunkFeed.Piece) -> (offset: Int, line: Int)? {
        (0, 1)
    }

    func scan(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, eof: Bool, crFinal: Bool, row: inout RowBuilder, into chunk: inout ScannedChunk) {
        JSONLChunkScanner.scan(bytes, from: start, eof: eof, row: &row, into: &chunk)
    }

    func preciseRow(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, line: Int, columns: [String]) throws(RecipientSourceError) -> RecipientRow? {
        var end = start
        while end < bytes.count, bytes[end] != 0x0A { end += 1 }
        return try JSONLSource.row(line: UnsafeBufferPointer(rebasing: bytes[start..<end]), number: line, columns: columns)
    }

    func preciseRows<Failure: Error>(_ bytes: [UInt8], from offset: Int, line: Int, isFinal: Bool, columns: [String], columnCount: Int,
                                     row: (RecipientRow) throws(Failure) -> Bool) throws(Failure) -> PreciseOutcome {
        var index = offset
        var number = line
        while index < bytes.count {
            var end = index
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            if end == bytes.count, !isFinal { return .unfinished(offset: index, line: number) }
            if end - index > RowRules.maxRecordBytes, !bytes[index..<end].contains(0) { return .failed(tooLong(line: number)) }
            let parsed: RecipientRow?
            do {
                parsed = try bytes.withUnsafeBufferPointer { (buffer) throws(RecipientSourceError) -> RecipientRow? in
                    try JSONLSource.row(line: UnsafeBufferPointer(rebasing: buffer[index..<end]), number: number, columns: columns)
                }
            } catch {
                return .failed(error)
            }
            if let parsed {
                guard try row(parsed) else { return .stopped }
            }
            index = end + 1
            number += 1
        }
        return .ended(line: number)
    }

    func tooLong(line: Int) -> RecipientSourceError {
        RecipientSourceError(.longRow, "has a line over 1 MiB; JSON Lines holds one small object per line", at: SourcePosition(line: line, column: 1))
    }
}
