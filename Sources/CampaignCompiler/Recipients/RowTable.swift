/// Rows and plan fragments in memory of their own, appended without the copy-on-write checks an
/// array append makes (a few per row add up to a tenth of the scan). Written by one task, then
/// handed to the merge and only read.
final class RowTable: @unchecked Sendable, PlanByteSink {
    private(set) var count = 0
    private var capacity: Int
    private var records: UnsafeMutablePointer<RowRecord>
    private(set) var byteCount = 0
    private var byteCapacity: Int
    private var storage: UnsafeMutablePointer<UInt8>

    init(rows: Int, bytes: Int) {
        capacity = max(rows, 16)
        records = .allocate(capacity: capacity)
        byteCapacity = max(bytes, 64)
        storage = .allocate(capacity: byteCapacity)
    }

    deinit {
        records.deallocate()
        storage.deallocate()
    }

    @inline(__always)
    func append(_ record: RowRecord) {
        if count == capacity {
            let larger = UnsafeMutablePointer<RowRecord>.allocate(capacity: capacity * 2)
            larger.moveInitialize(from: records, count: count)
            records.deallocate()
            records = larger
            capacity *= 2
        }
        (records + count).initialize(to: record)
        count += 1
    }

    @inline(__always)
    subscript(index: Int) -> RowRecord {
        precondition(index >= 0 && index < count)
        return records[index]
    }

    /// The plan fragment of row `index`, valid while the table lives.
    func fragment(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        let from = index == 0 ? 0 : Int(self[index - 1].fragmentEnd)
        return UnsafeBufferPointer(start: storage + from, count: Int(self[index].fragmentEnd) - from)
    }

    @inline(__always)
    private func reserveBytes(_ extra: Int) {
        guard byteCount + extra > byteCapacity else { return }
        let size = max(byteCapacity * 2, byteCount + extra)
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        larger.initialize(from: storage, count: byteCount)
        storage.deallocate()
        storage = larger
        byteCapacity = size
    }

    @inline(__always)
    func appendByte(_ byte: UInt8) {
        reserveBytes(1)
        storage[byteCount] = byte
        byteCount += 1
    }

    @inline(__always)
    func appendBytes(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        reserveBytes(bytes.count)
        (storage + byteCount).update(from: base, count: bytes.count)
        byteCount += bytes.count
    }

    func appendBytes(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { appendBytes($0) }
    }
}
