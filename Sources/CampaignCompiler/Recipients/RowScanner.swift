import YAMLSyntax

/// The fast reader's scan of one chunk: the format's scanner (`SourceFormat.scan`) finds the
/// rows and `RowBuilder` checks each against `RowRules` at once, without making strings. Anything
/// unusual is left to the format's precise reader, which defines the format.
enum RowScanner {
    /// Scans `chunk.bytes[start...]`; `crFinal` says a carriage return at the very end is a whole
    /// line break (the byte after the chunk is not a line feed).
    static func scan(_ chunk: inout ScannedChunk, from start: Int, crFinal: Bool, rules: RowRules, format: any SourceFormat) {
        let expected = max(chunk.bytes.count / 24, 16)
        let renders = rules.mode == .check && rules.render != nil
        chunk.rows = RowTable(rows: expected, bytes: renders ? chunk.bytes.count + chunk.bytes.count / 2 : 0)
        var result = chunk
        chunk = ScannedChunk(bytes: [], isFinal: chunk.isFinal)
        let text = result.bytes
        text.withUnsafeBufferPointer { bytes in
            var row = RowBuilder(rules: rules)
            defer { row.release() }
            format.scan(bytes, from: start, eof: result.isFinal, crFinal: crFinal, row: &row, into: &result)
        }
        chunk = result
    }

    /// An incomplete record that is already too long to be a recipient row is an error at once.
    static func tooLongOr(_ tail: ScannedChunk.Tail, start: Int, end: Int, line: Int) -> ScannedChunk.Tail {
        end - start > RowRules.maxRecordBytes ? .tooLong(offset: start, line: line) : tail
    }
}
