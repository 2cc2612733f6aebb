import CampaignCompiler
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Random access to a plan file's batches: where every request line lies, found (and checked
/// against the trailer's digest) by one scan of the file, and each batch read with one `pread`
/// when it is sent.
final class PlanIndex {
    private let descriptor: Int32
    /// The byte range of each request line, in order: batch `n` is `lines[n - 1]`.
    private let lines: [Range<Int>]
    let header: PlanHeader

    init(path: String) throws(PlanError) {
        guard let header = PlanReader.header(at: path) else { throw PlanError("'\(path)' is not a salvo plan") }
        let lines = try PlanReader.requestLines(at: path)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw PlanError("cannot read the plan '\(path)'") }
        self.header = header
        self.descriptor = descriptor
        self.lines = lines
    }

    deinit {
        close(descriptor)
    }

    /// The number of batches.
    var count: Int { lines.count }

    /// The batch with 1-based number `number`.
    func batch(_ number: Int) throws(PlanError) -> PlanBatch {
        guard number >= 1, number <= count else { throw PlanError("the plan has no batch \(number)") }
        let span = lines[number - 1]
        let start = span.lowerBound
        let length = span.count
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
