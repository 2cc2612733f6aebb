import CampaignCompiler
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Random access to a plan file's batches: where every line lies, found once with `memchr`, and
/// each batch read with one `pread` when it is sent.
final class PlanIndex {
    private let descriptor: Int32
    /// Where each non-empty line starts and ends (its newline excluded): the header first, the
    /// trailer last, the batches between. A last line without a newline counts too.
    private let lines: [(start: Int, end: Int)]
    let header: PlanHeader

    init(path: String) throws(PlanError) {
        guard let header = PlanReader.header(at: path) else { throw PlanError("'\(path)' is not a salvo plan") }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw PlanError("cannot read the plan '\(path)'") }
        var lines: [(start: Int, end: Int)] = []
        var lineStart = 0
        var position = 0
        let chunkSize = 1 << 20
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let count = read(descriptor, chunk.baseAddress, chunkSize)
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else {
                close(descriptor)
                throw PlanError("cannot read the plan '\(path)'")
            }
            if count == 0 { break }
            guard let base = chunk.baseAddress else { break }
            var offset = 0
            while offset < count, let found = memchr(base + offset, 0x0A, count - offset) {
                let newline = position + base.distance(to: found)
                if newline > lineStart { lines.append((lineStart, newline)) }
                lineStart = newline + 1
                offset = base.distance(to: found) + 1
            }
            position += count
        }
        if position > lineStart { lines.append((lineStart, position)) }
        self.header = header
        self.descriptor = descriptor
        self.lines = lines
    }

    deinit {
        close(descriptor)
    }

    /// The number of batch lines: every non-empty line but the header and the trailer.
    var count: Int { max(lines.count - 2, 0) }

    /// The batch with 1-based number `number`.
    func batch(_ number: Int) throws(PlanError) -> PlanBatch {
        guard number >= 1, number <= count else { throw PlanError("the plan has no batch \(number)") }
        let (start, end) = lines[number]
        let length = end - start
        var failure: Int32 = 0
        let batch = [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
            var done = 0
            while done < length {
                let count = pread(descriptor, buffer.baseAddress.map { $0 + done }, length - done, off_t(start + done))
                if count < 0, errno == EINTR { continue }
                guard count > 0 else {
                    failure = count == 0 ? EIO : errno
                    break
                }
                done += count
            }
            initialized = done
        }
        guard failure == 0 else { throw PlanError("cannot read batch \(number) of the plan: \(String(cString: strerror(failure)))") }
        guard let parsed = PlanLineParser.batch(batch), parsed.batch == number else { throw PlanError("batch \(number) of the plan is damaged") }
        return parsed
    }
}
