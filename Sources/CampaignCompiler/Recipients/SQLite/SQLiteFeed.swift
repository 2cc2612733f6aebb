#if canImport(Glibc)
import Glibc
#endif
internal import SQLiteDatabase
import YAMLSyntax

/// Cuts a SQLite query's result into pieces of about `target` bytes of pre-split records.
final class SQLiteFeed: PieceFeed {
    private let query: SQLiteQuery
    private let target: Int
    private var finished = false

    init(query: SQLiteQuery, target: Int) {
        self.query = query
        self.target = target
    }

    func next() -> ChunkFeed.Piece? {
        guard !finished else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(target + 4096)
        do {
            while bytes.count < target {
                if try !query.step(into: &bytes) {
                    finished = true
                    break
                }
            }
        } catch {
            finished = true
            return ChunkFeed.Piece(bytes: bytes, isFinal: true, crFinal: true, failure: nil, error: error)
        }
        return ChunkFeed.Piece(bytes: bytes, isFinal: finished, crFinal: true, failure: nil, error: nil)
    }
}
