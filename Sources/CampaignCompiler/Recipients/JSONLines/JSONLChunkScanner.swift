import YAMLSyntax

/// The fast reader's scan of JSON Lines: one object per line, read by `JSONObjectScanner` for the
/// keys asked for; lines it cannot read alone go to `JSONLSource`, which defines the format.
enum JSONLChunkScanner {
    /// Scans `bytes[start...]` into `chunk`.
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, eof: Bool, row: inout RowBuilder, into chunk: inout ScannedChunk) {
        let end = bytes.count
        let keys = row.rules.keys
        var index = start
        var line = 0
        while index < end {
            let lineStart = index
            var lineEnd = index
            var nonASCII = false
            var nul = false
            while lineEnd < end, bytes[lineEnd] != 0x0A {
                let byte = bytes[lineEnd]
                if byte >= 0x80 { nonASCII = true } else if byte == 0 { nul = true }
                lineEnd += 1
            }
            if lineEnd == end, !eof {
                if nul {
                    chunk.tail = .giveUp(offset: lineStart, line: line)
                } else {
                    chunk.tail = RowScanner.tooLongOr(.incomplete(offset: lineStart, line: line), start: lineStart, end: end, line: line)
                }
                return
            }
            index = lineEnd < end ? lineEnd + 1 : end
            var contentEnd = lineEnd
            if contentEnd > lineStart, bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            if nul {
                chunk.tail = .giveUp(offset: lineStart, line: line)
                return
            }
            if lineEnd - lineStart > RowRules.maxRecordBytes {
                chunk.tail = .tooLong(offset: lineStart, line: line)
                return
            }
            let content = UnsafeBufferPointer(rebasing: bytes[lineStart..<contentEnd])
            var blank = true
            for byte in content where byte != 0x20 && byte != 0x09 {
                blank = false
                break
            }
            if blank {
                line += 1
                continue
            }
            if nonASCII, YAMLParser.firstInvalidUTF8Byte(in: content) != nil {
                chunk.tail = .giveUp(offset: lineStart, line: line)
                return
            }
            row.reset()
            if JSONObjectScanner.fields(bytes, from: lineStart, to: contentEnd, keys: keys, row: &row) {
                row.finish(bytes, start: lineStart, line: line, into: &chunk)
            } else {
                row.setAside(start: lineStart, line: line, into: &chunk)
            }
            line += 1
        }
        chunk.tail = .complete(lines: line)
    }
}
