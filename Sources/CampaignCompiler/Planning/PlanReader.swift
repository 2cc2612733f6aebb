#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Reads plan files: their header, their batches one at a time, and what changed between two plans.
public enum PlanReader {
    /// The header of the plan at `path`, or nil when there is none or it is not a plan.
    public static func header(at path: String) -> PlanHeader? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var line = Data()
        while let chunk = try? handle.read(upToCount: 64 * 1024), !chunk.isEmpty {
            if let newline = chunk.firstIndex(of: 0x0A) {
                line.append(chunk[chunk.startIndex..<newline])
                break
            }
            line.append(chunk)
            if line.count > 16 << 20 { return nil }
        }
        guard let header = try? JSONDecoder().decode(PlanHeader.self, from: line), header.format == "salvo-plan" else { return nil }
        return header
    }

    /// Calls `body` with every batch of the plan at `path`, in order; the trailer comes back at the
    /// end, or an error when the plan is cut short, edited or not a plan.
    /// The trailer of the plan at `path`, read from its end, or nil when it has none.
    public static func trailer(at path: String) -> PlanTrailer? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd(), size > 0 else { return nil }
        let length = min(size, 4096)
        try? handle.seek(toOffset: size - length)
        guard let data = try? handle.read(upToCount: Int(length)) else { return nil }
        let lines = data.split(separator: 0x0A)
        guard let last = lines.last, let trailer = try? JSONDecoder().decode(PlanTrailer.self, from: Data(last)), trailer.end else { return nil }
        return trailer
    }

    public static func batches(at path: String, _ body: (PlanBatch) throws(PlanError) -> Void) throws(PlanError) -> PlanTrailer {
        let decoder = JSONDecoder()
        var lineNumber = 0
        var trailer: PlanTrailer?
        var digest = PlanDigest()
        var requests: [String: Int] = [:]
        var recipients = 0
        try lines(at: path) { (line, _) throws(PlanError) in
            lineNumber += 1
            guard lineNumber > 1, !line.isEmpty else { return }
            if trailer != nil { throw PlanError("the plan '\(path)' has lines after its end (line \(lineNumber))", code: .damaged) }
            if line[0] == UInt8(ascii: "{"), let batch = PlanLineParser.batch(line) {
                digest.add(line)
                requests[batch.action, default: 0] += 1
                recipients += batch.recipients.count
                try body(batch)
            } else if let end = try? decoder.decode(PlanTrailer.self, from: Data(line)), end.end {
                guard end.requests.filter({ $0.value > 0 }) == requests, end.recipients == recipients,
                      end.requestsSHA256.map({ $0 == digest.hex }) ?? true else { throw edited(path) }
                trailer = end
            } else {
                throw PlanError("line \(lineNumber) of the plan '\(path)' is not a batch; the file is damaged", code: .damaged)
            }
        }
        guard let trailer else { throw PlanError("the plan '\(path)' ends before its last line: it was cut short", code: .damaged) }
        return trailer
    }

    /// Where the request lines of the plan at `path` lie (byte ranges, newlines excluded, in
    /// order), after checking without parsing them that they are the ones its trailer counts and
    /// hashes: one scan gives a run both its random access to the batches and, on every start,
    /// the assurance that the stored plan was not edited or damaged since it was read whole.
    public static func requestLines(at path: String) throws(PlanError) -> [Range<Int>] {
        let decoder = JSONDecoder()
        var lineNumber = 0
        var trailer: PlanTrailer?
        var digest = PlanDigest()
        var spans: [Range<Int>] = []
        try lines(at: path) { (line, offset) throws(PlanError) in
            lineNumber += 1
            guard lineNumber > 1, !line.isEmpty else { return }
            if trailer != nil { throw PlanError("the plan '\(path)' has lines after its end (line \(lineNumber))", code: .damaged) }
            if line.starts(with: #"{"action":"#.utf8) {
                digest.add(line)
                spans.append(offset..<(offset + line.count))
            } else if let end = try? decoder.decode(PlanTrailer.self, from: Data(line)), end.end {
                guard end.requests.values.reduce(0, +) == spans.count, end.requestsSHA256.map({ $0 == digest.hex }) ?? true else { throw edited(path) }
                trailer = end
            } else {
                throw PlanError("line \(lineNumber) of the plan '\(path)' is not a batch; the file is damaged", code: .damaged)
            }
        }
        guard trailer != nil else { throw PlanError("the plan '\(path)' ends before its last line: it was cut short", code: .damaged) }
        return spans
    }

    private static func edited(_ path: String) -> PlanError {
        PlanError("the requests in the plan '\(path)' are not the ones it was written with (its last line counts and hashes them): it was edited or damaged; make it again with 'salvo plan'", code: .damaged)
    }

    /// Calls `handle` with every line of the file at `path` (without its newline) and the offset
    /// where it starts, found with `memchr` in a byte buffer and handed over where it lies.
    private static func lines(at path: String, _ handle: (UnsafeBufferPointer<UInt8>, Int) throws(PlanError) -> Void) throws(PlanError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw PlanError("cannot read the plan '\(path)'", code: .unreadable) }
        defer { close(descriptor) }
        // `buffer[0..<filled]` holds bytes read but not yet handled: at most one partial line.
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var filled = 0
        var bufferOffset = 0   // the file offset of buffer[0]
        while true {
            if filled == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
            let count = buffer.withUnsafeMutableBytes { raw in
                read(descriptor, raw.baseAddress.map { $0 + filled }, raw.count - filled)
            }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw PlanError("cannot read the plan '\(path)': \(String(cString: strerror(errno)))", code: .unreadable) }
            if count == 0 { break }
            filled += count
            let consumed = try buffer.withUnsafeBufferPointer { (bytes) throws(PlanError) -> Int in
                guard let base = bytes.baseAddress else { return 0 }
                var lineStart = 0
                while lineStart < filled, let found = memchr(base + lineStart, 0x0A, filled - lineStart) {
                    let newline = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
                    try handle(UnsafeBufferPointer(rebasing: bytes[lineStart..<newline]), bufferOffset + lineStart)
                    lineStart = newline + 1
                }
                return lineStart
            }
            if consumed > 0 {
                buffer.withUnsafeMutableBufferPointer { bytes in
                    guard let base = bytes.baseAddress else { return }
                    memmove(base, base + consumed, filled - consumed)
                }
                filled -= consumed
                bufferOffset += consumed
            }
        }
        if filled > 0 {
            try buffer.withUnsafeBufferPointer { (bytes) throws(PlanError) in try handle(UnsafeBufferPointer(rebasing: bytes[0..<filled]), bufferOffset) }
        }
    }

    /// A recipient of a plan as a change report compares it: the number and a hash of its values.
    public struct PlannedRecipient: Sendable, Hashable, Comparable {
        /// The number, as digits.
        public var phone: UInt64
        /// FNV-1a over the recipient's parameter values.
        public var values: UInt64

        public static func < (lhs: PlannedRecipient, rhs: PlannedRecipient) -> Bool {
            (lhs.phone, lhs.values) < (rhs.phone, rhs.values)
        }
    }

    /// The largest plan whose recipients are read to say what changed: 16 bytes a recipient are
    /// held for each of the two plans compared, so a larger one (about 1.6 M recipients) is
    /// compared by its header only, and memory stays bounded for ten million.
    public static let comparableBytes = 64 << 20

    /// The recipients of the given sources, sorted, from the plan at `path`; nil when the plan
    /// is over `limit` bytes.
    public static func phones(at path: String, sources: Set<Int>, limit: Int = comparableBytes) -> [Int: [PlannedRecipient]]? {
        var info = stat()
        if stat(path, &info) == 0, Int(info.st_size) > limit { return nil }
        var phones: [Int: [PlannedRecipient]] = [:]
        _ = try? batches(at: path) { batch in
            for recipient in batch.recipients where recipient.count >= 2 {
                guard let source = Int(recipient[1]), sources.contains(source), let number = UInt64(recipient[0]) else { continue }
                let values = FrequentSets.key(batch.values ?? Array(recipient.dropFirst(2)))
                phones[source, default: []].append(PlannedRecipient(phone: number, values: values))
            }
        }
        return phones.mapValues { $0.sorted() }
    }

    /// What differs between the plan an old header describes and a new one, in words; for a
    /// recipient source whose content changed, how many recipients were added and removed
    /// (counted from the two plans' recipients).
    public static func changes(from old: PlanHeader, oldPhones: [Int: [PlannedRecipient]]?, to new: PlanHeader, newPhones: [Int: [PlannedRecipient]]?) -> [String] {
        var changes: [String] = []
        if old.campaignFile.sha256 != new.campaignFile.sha256 { changes.append("the campaign file \(new.campaignFile.path) changed") }
        if old.templateSHA256 != new.templateSHA256 { changes.append("the sign name or template changed (template \(old.template) → \(new.template))") }
        for index in 0..<max(old.sources.count, new.sources.count) {
            let before = index < old.sources.count ? old.sources[index] : nil
            let after = index < new.sources.count ? new.sources[index] : nil
            switch (before, after) {
            case let (before?, after?) where before.path != after.path:
                changes.append("recipient source \(index + 1) is now \(after.path) (was \(before.path))")
            case let (before?, after?) where before.sha256 != after.sha256:
                guard let oldPhones, let newPhones else {
                    changes.append("recipient source \(after.path) changed (its recipients were not counted: a plan over \(comparableBytes >> 20) MiB is compared by its header only)")
                    continue
                }
                let (added, removed, changed) = difference(oldPhones[index] ?? [], newPhones[index] ?? [])
                var parts = ["\(added) recipient\(added == 1 ? "" : "s") added", "\(removed) removed"]
                if changed > 0 { parts.append("\(changed) with changed values") }
                if added + removed + changed == 0 { parts = ["the same recipients and values (the file's bytes differ)"] }
                changes.append("recipient source \(after.path) changed: " + parts.joined(separator: ", "))
            case let (nil, after?):
                changes.append("recipient source \(after.path) was added")
            case let (before?, nil):
                changes.append("recipient source \(before.path) was removed")
            default:
                break
            }
        }
        if old.exclusions != new.exclusions {
            let paths = Set(old.exclusions.map(\.path) + new.exclusions.map(\.path)).sorted()
            changes.append("the exclusion lists changed (\(paths.joined(separator: ", ")))")
        }
        if old.version != new.version { changes.append("the plan format changed (version \(old.version) → \(new.version))") }
        return changes
    }

    /// The sources whose content differs between two headers.
    public static func changedSources(from old: PlanHeader, to new: PlanHeader) -> Set<Int> {
        Set((0..<min(old.sources.count, new.sources.count)).filter { old.sources[$0].path == new.sources[$0].path && old.sources[$0].sha256 != new.sources[$0].sha256 })
    }

    /// Recipients only in `new` (added), only in `old` (removed), and in both with other values
    /// (changed), from two sorted lists.
    static func difference(_ old: [PlannedRecipient], _ new: [PlannedRecipient]) -> (added: Int, removed: Int, changed: Int) {
        var i = 0, j = 0, added = 0, removed = 0, changed = 0
        while i < old.count || j < new.count {
            if j == new.count || (i < old.count && old[i].phone < new[j].phone) {
                removed += 1
                i += 1
            } else if i == old.count || new[j].phone < old[i].phone {
                added += 1
                j += 1
            } else {
                if old[i].values != new[j].values { changed += 1 }
                i += 1
                j += 1
            }
        }
        return (added, removed, changed)
    }
}
