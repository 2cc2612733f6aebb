#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file in large chunks into one buffer, converting it to UTF-8 on the way where the file
/// is in another encoding. Parsers index `bytes[start..<end]` and call `refill()` when they need
/// more; bytes before `start` are dropped then.
final class ByteReader {
    private let descriptor: Int32
    private var converter: iconv_t?
    private var raw: [UInt8] = []
    private var rawCount = 0
    private(set) var rawOffset = 0
    /// The buffer; the unread bytes are `bytes[start..<end]`.
    var bytes: [UInt8]
    var start = 0
    private(set) var end = 0
    private(set) var atEOF = false
    static let chunk = 1 << 20

    /// What went wrong while reading or converting.
    enum Failure: Error, Sendable {
        case unreadable
        case encoding(rawOffset: Int)
    }

    /// Opens `path` under `access` (folder, file kind and size checked before anything is read).
    init(path: String, gb18030: Bool, access: SourceAccess, campaignPath: String?) throws(RecipientSourceError) {
        descriptor = try access.open(path, campaignPath: campaignPath).descriptor
        bytes = [UInt8](repeating: 0, count: Self.chunk * 2)
        if gb18030 {
            let handle = iconv_open("UTF-8", "GB18030")
            guard let handle, handle != iconv_t(bitPattern: -1) else {
                Glibc.close(descriptor)
                throw RecipientSourceError(.unreadable, "GB18030 conversion is not available on this system")
            }
            converter = handle
            raw = [UInt8](repeating: 0, count: Self.chunk)
        }
    }

    /// The unread bytes held, in bytes: parsers bound a row by it.
    var held: Int { end - start }

    deinit {
        if let converter { iconv_close(converter) }
        Glibc.close(descriptor)
    }

    /// Moves the unread bytes to the front and reads more; false at the end of the file.
    func refill() throws(Failure) -> Bool {
        guard !atEOF else { return false }
        if start > 0 {
            let remaining = end - start
            if remaining > 0 {
                bytes.withUnsafeMutableBufferPointer { buffer in
                    guard let base = buffer.baseAddress else { return }
                    memmove(base, base + start, remaining)
                }
            }
            end = remaining
            start = 0
        }
        if bytes.count - end < Self.chunk {
            bytes.append(contentsOf: repeatElement(0, count: Self.chunk))
        }
        let added = converter == nil ? try readDirect() : try readConverted()
        if added == 0 { atEOF = true }
        return added > 0
    }

    private func readDirect() throws(Failure) -> Int {
        while true {
            let count = bytes.withUnsafeMutableBufferPointer { buffer in
                read(descriptor, buffer.baseAddress! + end, buffer.count - end)
            }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw .unreadable }
            end += count
            rawOffset += count
            return count
        }
    }

    private func readConverted() throws(Failure) -> Int {
        var produced = 0
        while produced == 0 {
            let count = raw.withUnsafeMutableBufferPointer { buffer in
                read(descriptor, buffer.baseAddress! + rawCount, buffer.count - rawCount)
            }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw .unreadable }
            rawCount += count
            if rawCount == 0 { return 0 }
            var failedAt: Int?
            let consumed: Int = raw.withUnsafeMutableBufferPointer { rawBuffer in
                bytes.withUnsafeMutableBufferPointer { out in
                    var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(rawBuffer.baseAddress!).assumingMemoryBound(to: CChar.self)
                    var inLeft = rawCount
                    var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(out.baseAddress! + end).assumingMemoryBound(to: CChar.self)
                    var outLeft = out.count - end
                    let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                    let used = rawCount - inLeft
                    produced = (out.count - end) - outLeft
                    // EINVAL: a character is cut at the chunk's end; it is completed by the next read.
                    if result == -1, errno == EILSEQ || (errno == EINVAL && count == 0) {
                        failedAt = rawOffset + used
                    }
                    return used
                }
            }
            end += produced
            if let failedAt, produced == 0 { throw .encoding(rawOffset: failedAt) }
            raw.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                memmove(base, base + consumed, rawCount - consumed)
            }
            rawCount -= consumed
            rawOffset += consumed
            if count == 0, produced == 0 { return 0 }
        }
        return produced
    }
}
