/// Appends to a row table without retaining it per byte (the table outlives every write).
struct TableSink: PlanByteSink {
    let table: Unmanaged<RowTable>

    init(table: RowTable) {
        self.table = .passUnretained(table)
    }

    @inline(__always)
    mutating func appendByte(_ byte: UInt8) { table._withUnsafeGuaranteedRef { $0.appendByte(byte) } }

    @inline(__always)
    mutating func appendBytes(_ bytes: UnsafeBufferPointer<UInt8>) { table._withUnsafeGuaranteedRef { $0.appendBytes(bytes) } }
}
