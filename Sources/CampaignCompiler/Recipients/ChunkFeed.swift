/// Cuts a recipient file into chunks of about `target` bytes of UTF-8, each ending after a line
/// break, for the fast reader to scan in parallel. A cut may fall inside a quoted field: the scan
/// of the chunk before then ends inside a record, and the merge rescans that chunk's start with
/// the record's first part (so a cut never changes a row).
final class ChunkFeed: PieceFeed {
    /// A piece of the file.
    struct Piece: Sendable {
        var bytes: [UInt8]
        /// The last piece: nothing follows.
        var isFinal: Bool
        /// A carriage return at the end of `bytes` is a whole line break (the next byte is not a
        /// line feed).
        var crFinal: Bool
        /// Reading failed after these bytes (a read error, or text that is not GB18030).
        var failure: ByteReader.Failure?
        /// Reading failed after these rows, with this error (a query that failed).
        var error: RecipientSourceError?
    }

    private let reader: ByteReader
    private let target: Int
    private var first = true
    private var finished = false

    init(path: String, gb18030: Bool, access: SourceAccess, campaignPath: String?, target: Int = 1 << 20) throws(RecipientSourceError) {
        reader = try ByteReader(path: path, gb18030: gb18030, access: access, campaignPath: campaignPath)
        self.target = target
    }

    /// The next piece, or nil after the last.
    func next() -> Piece? {
        guard !finished else { return nil }
        var failure: ByteReader.Failure?
        while reader.held < target, !reader.atEOF {
            do {
                if try !reader.refill() { break }
            } catch {
                failure = error
                break
            }
        }
        if first {
            first = false
            if reader.bytes[reader.start..<reader.end].starts(with: [0xEF, 0xBB, 0xBF]) { reader.start += 3 }
        }
        let start = reader.start, end = reader.end
        if failure != nil || reader.atEOF {
            finished = true
            let bytes = Array(reader.bytes[start..<end])
            reader.start = end
            return Piece(bytes: bytes, isFinal: failure == nil, crFinal: failure == nil, failure: failure, error: nil)
        }
        // Cut after the last line feed; failing that, after a carriage return that is not the
        // first half of CRLF; failing that (one line longer than the target), nowhere.
        var cut = end
        var crFinal = false
        reader.bytes.withUnsafeBufferPointer { bytes in
            // Within the target if a line ends there, else anywhere in what is held.
            for limit in [min(end, start + target), end] {
                var index = limit - 1
                while index >= start, bytes[index] != 0x0A { index -= 1 }
                if index >= start {
                    cut = index + 1
                    crFinal = true
                    return
                }
                index = min(limit, end - 1) - 1
                while index >= start, !(bytes[index] == 0x0D && bytes[index + 1] != 0x0A) { index -= 1 }
                if index >= start {
                    cut = index + 1
                    crFinal = true
                    return
                }
            }
        }
        let bytes = Array(reader.bytes[start..<cut])
        reader.start = cut
        return Piece(bytes: bytes, isFinal: false, crFinal: crFinal, failure: nil, error: nil)
    }
}
