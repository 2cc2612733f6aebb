/// Where JSON bytes are appended: an array, or a table of rows that keeps them in place.
public protocol JSONByteSink {
    /// Appends one byte.
    mutating func appendByte(_ byte: UInt8)
    /// Appends bytes.
    mutating func appendBytes(_ bytes: UnsafeBufferPointer<UInt8>)
}

extension Array: JSONByteSink where Element == UInt8 {
    /// Appends one byte.
    @inlinable public mutating func appendByte(_ byte: UInt8) { append(byte) }
    /// Appends bytes.
    @inlinable public mutating func appendBytes(_ bytes: UnsafeBufferPointer<UInt8>) { append(contentsOf: bytes) }
}
