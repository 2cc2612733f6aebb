import CampaignCompiler
import Foundation

/// Random access to a plan file's batches: the byte offset of every batch line, read once.
final class PlanIndex {
    private let handle: FileHandle
    private var offsets: [UInt64] = []
    let header: PlanHeader

    init(path: String) throws(PlanError) {
        guard let header = PlanReader.header(at: path) else { throw PlanError("'\(path)' is not a salvo plan") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw PlanError("cannot read the plan '\(path)'") }
        self.header = header
        self.handle = handle
        var position: UInt64 = 0
        var lineStart: UInt64 = 0
        var line = 0
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            for (index, byte) in chunk.enumerated() where byte == 0x0A {
                line += 1
                if line > 1 { offsets.append(lineStart) }
                lineStart = position + UInt64(index) + 1
            }
            position += UInt64(chunk.count)
        }
        // The last line is the trailer, not a batch.
        if !offsets.isEmpty { offsets.removeLast() }
    }

    deinit {
        try? handle.close()
    }

    var count: Int { offsets.count }

    /// The batch with 1-based number `number`.
    func batch(_ number: Int) throws(PlanError) -> PlanBatch {
        guard number >= 1, number <= offsets.count else { throw PlanError("the plan has no batch \(number)") }
        do {
            try handle.seek(toOffset: offsets[number - 1])
            var line = Data()
            while let chunk = try handle.read(upToCount: 64 * 1024), !chunk.isEmpty {
                if let newline = chunk.firstIndex(of: 0x0A) {
                    line.append(chunk[chunk.startIndex..<newline])
                    break
                }
                line.append(chunk)
            }
            guard let batch = PlanLineParser.batch(line) else { throw PlanError("batch \(number) of the plan is damaged") }
            return batch
        } catch let error as PlanError {
            throw error
        } catch {
            throw PlanError("cannot read batch \(number) of the plan: \(error)")
        }
    }
}
