/// The fast reader's scan of a query's rows, already split into fields (`FieldRecords`).
enum SQLiteChunkScanner {
    /// Records of `FieldRecords`, one per line (a query's row number is its line).
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, row: inout RowBuilder, into chunk: inout ScannedChunk) {
        var index = 0
        var line = 0
        while index + 4 <= bytes.count {
            let start = index
            let fieldCount = FieldRecords.count(bytes, at: index)
            index += 4
            row.reset()
            for _ in 0..<fieldCount {
                let length = FieldRecords.count(bytes, at: index)
                row.addField(index + 4, index + 4 + length)
                index += 4 + length
            }
            row.finish(bytes, start: start, line: line, into: &chunk)
            line += 1
        }
        chunk.tail = .complete(lines: line)
    }
}
