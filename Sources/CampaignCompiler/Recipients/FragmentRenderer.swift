/// Writes plan fragments `["phone","source",values…]`: the constant parts rendered once, held
/// in one block of bytes read without reference counting.
final class FragmentRenderer {
    private let grouped: Bool
    private let positions: Int
    /// All constant pieces, back to back: the source (as JSON), then per position the constant
    /// (as JSON) or the default (raw), each as a range.
    private let storage: UnsafeMutablePointer<UInt8>
    private let source: Range<Int>
    /// Per position: the constant's JSON, its raw bytes, and the default's raw bytes (empty
    /// ranges where absent), and whether it is a constant.
    private let constantJSON: UnsafeMutablePointer<Range<Int>>
    private let constantRaw: UnsafeMutablePointer<Range<Int>>
    private let fallback: UnsafeMutablePointer<Range<Int>>
    private let isConstant: UnsafeMutablePointer<Bool>
    private let hasFallback: UnsafeMutablePointer<Bool>

    init(_ render: RowRules.Render) {
        grouped = render.grouped
        positions = render.constants.count
        var bytes: [UInt8] = render.source
        source = 0..<bytes.count
        func add(_ piece: [UInt8]?) -> Range<Int> {
            let start = bytes.count
            bytes += piece ?? []
            return start..<bytes.count
        }
        let count = max(positions, 1)
        constantJSON = .allocate(capacity: count)
        constantRaw = .allocate(capacity: count)
        fallback = .allocate(capacity: count)
        isConstant = .allocate(capacity: count)
        hasFallback = .allocate(capacity: count)
        for position in 0..<positions {
            (constantJSON + position).initialize(to: add(render.constants[position]))
            (constantRaw + position).initialize(to: add(render.constantBytes[position]))
            (fallback + position).initialize(to: add(render.fallbacks[position]))
            (isConstant + position).initialize(to: render.constants[position] != nil)
            (hasFallback + position).initialize(to: render.fallbacks[position] != nil)
        }
        storage = .allocate(capacity: max(bytes.count, 1))
        bytes.withUnsafeBufferPointer { if let base = $0.baseAddress { storage.initialize(from: base, count: bytes.count) } }
    }

    deinit {
        storage.deallocate()
        constantJSON.deallocate()
        constantRaw.deallocate()
        fallback.deallocate()
        isConstant.deallocate()
        hasFallback.deallocate()
    }

    @inline(__always)
    private func piece(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: storage + range.lowerBound, count: range.count)
    }

    /// Writes the fragment of a row whose values are `values` (per position; empty where the
    /// default applies) and returns the value set's key.
    func render(phone: UInt64, values: UnsafeMutablePointer<UnsafeBufferPointer<UInt8>>, into sink: TableSink) -> UInt64 {
        var out = sink
        out.appendByte(UInt8(ascii: "["))
        out.appendByte(UInt8(ascii: "\""))
        PhoneNumber.appendDigits(phone, to: &out)
        out.appendByte(UInt8(ascii: "\""))
        out.appendByte(UInt8(ascii: ","))
        out.appendBytes(piece(source))
        var key = ValueSetKey()
        if !grouped {
            for position in 0..<positions {
                out.appendByte(UInt8(ascii: ","))
                let raw: UnsafeBufferPointer<UInt8>
                if isConstant[position] {
                    out.appendBytes(piece(constantJSON[position]))
                    raw = piece(constantRaw[position])
                } else if values[position].isEmpty, hasFallback[position] {
                    // An empty field that takes the parameter's default.
                    raw = piece(fallback[position])
                    PlanJSON.string(raw, into: &out)
                } else {
                    raw = values[position]
                    PlanJSON.string(raw, into: &out)
                }
                key.add(raw)
            }
        }
        out.appendByte(UInt8(ascii: "]"))
        return key.value
    }
}
