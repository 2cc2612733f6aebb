import YAMLSyntax

/// One row's fields as offsets into the chunk (or, negative, into `scratch` for values that had
/// to be unescaped), and the per-row check once they are all found.
struct RowBuilder {
    let rules: RowRules
    /// Fields past this many are counted, not kept: such a row is left to the full check.
    static let maxFields = 64
    private let starts: UnsafeMutablePointer<Int>
    private let ends: UnsafeMutablePointer<Int>
    private(set) var fieldCount = 0
    private(set) var scratch: [UInt8] = []
    /// Per parameter position, the value of the row being finished (empty: the default).
    private let values: UnsafeMutablePointer<UnsafeBufferPointer<UInt8>>
    private let valueCount: Int
    /// The bindings, copied where reading them costs no reference counting.
    private let bindings: UnsafeMutablePointer<RowRules.Binding>
    private let bindingCount: Int
    /// How plan fragments are written, held for the scan; nil for validate. Used through an
    /// unmanaged reference: a retain per row showed in profiles.
    private let rendererObject: FragmentRenderer?
    private let renderer: Unmanaged<FragmentRenderer>?
    /// What every row's check reads from the rules, copied once: whether numbers are mainland
    /// ones (their test is then called directly), the fixed part's length in UTF-16 units and
    /// in septets (-1: not GSM-7), and whether lengths are checked at all.
    private let mainland: Bool
    private let fixedLength: Int
    private let fixedSeptets: Int
    private let checksLength: Bool

    init(rules: RowRules) {
        self.rules = rules
        starts = .allocate(capacity: Self.maxFields)
        ends = .allocate(capacity: Self.maxFields)
        scratch.reserveCapacity(256)
        valueCount = rules.render?.constants.count ?? 0
        values = .allocate(capacity: max(valueCount, 1))
        values.initialize(repeating: UnsafeBufferPointer(start: nil, count: 0), count: max(valueCount, 1))
        bindingCount = rules.bindings.count
        bindings = .allocate(capacity: max(bindingCount, 1))
        rendererObject = rules.mode == .check ? rules.render.map(FragmentRenderer.init) : nil
        renderer = rendererObject.map { Unmanaged.passUnretained($0) }
        mainland = rules.phones.isMainland
        fixedLength = rules.fixedLength ?? 0
        fixedSeptets = rules.fixedSeptets
        checksLength = rules.checksLength
        let target = bindings, total = bindingCount
        rules.bindings.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { target.initialize(from: base, count: total) }
        }
    }

    /// Frees the buffers (the builder lives for one chunk's scan).
    func release() {
        starts.deallocate()
        ends.deallocate()
        values.deallocate()
        bindings.deallocate()
    }

    @inline(__always)
    mutating func reset() {
        fieldCount = 0
        if !scratch.isEmpty { scratch.removeAll(keepingCapacity: true) }
    }

    @inline(__always)
    mutating func addField(_ start: Int, _ end: Int) {
        if fieldCount < Self.maxFields {
            starts[fieldCount] = start
            ends[fieldCount] = end
        }
        fieldCount += 1
    }

    /// Sets a field by index (JSON Lines, where keys come in any order).
    mutating func setField(_ index: Int, _ start: Int, _ end: Int) {
        while fieldCount <= index { addField(0, 0) }
        starts[index] = start
        ends[index] = end
    }

    /// Copies `bytes` with doubled quotes made single into the scratch buffer; returns the
    /// field's scratch range as negative offsets.
    mutating func unescape(_ bytes: UnsafeBufferPointer<UInt8>) -> (Int, Int) {
        let start = scratch.count
        var index = 0
        while index < bytes.count {
            scratch.append(bytes[index])
            index += bytes[index] == 0x22 ? 2 : 1
        }
        return (-1 - start, -1 - scratch.count)
    }

    mutating func appendScratchByte(_ byte: UInt8) {
        scratch.append(byte)
    }

    var scratchCount: Int { scratch.count }

    func scratchIsUTF8(_ start: Int, _ end: Int) -> Bool {
        scratch.withUnsafeBufferPointer { YAMLParser.firstInvalidUTF8Byte(in: UnsafeBufferPointer(rebasing: $0[(-1 - start)..<(-1 - end)])) == nil }
    }

    /// A row left to the full check.
    func setAside(start: Int, line: Int, into chunk: inout ScannedChunk) {
        chunk.rows.append(RowRecord(start: Int32(truncatingIfNeeded: start), line: Int32(truncatingIfNeeded: line), length: 0,
                                    fragmentEnd: Int32(truncatingIfNeeded: chunk.rows.byteCount), phone: 0, key: 0, clean: false, gsm7: false))
    }

    /// Checks the row whose fields were found and records what the merge needs.
    mutating func finish(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, line: Int, into chunk: inout ScannedChunk) {
        let count = fieldCount
        guard rules.passesFieldCount(count) else {
            setAside(start: start, line: line, into: &chunk)
            return
        }
        scratch.withUnsafeBufferPointer { scratch in
            func field(_ index: Int) -> UnsafeBufferPointer<UInt8> {
                let (from, to) = (starts[index], ends[index])
                return from >= 0 ? UnsafeBufferPointer(rebasing: bytes[from..<to]) : UnsafeBufferPointer(rebasing: scratch[(-1 - from)..<(-1 - to)])
            }
            let phoneField = field(rules.phoneIndex)
            guard let phone = mainland ? MainlandPhonePolicy().acceptedKey(phoneField) : rules.quickPhone(phoneField) else {
                setAside(start: start, line: line, into: &chunk)
                return
            }
            var record = RowRecord(start: Int32(truncatingIfNeeded: start), line: Int32(truncatingIfNeeded: line), length: 0, fragmentEnd: 0,
                                   phone: phone, key: 0, clean: true, gsm7: false)
            if rules.mode == .phones {
                chunk.rows.append(record)
                return
            }
            var length = fixedLength
            // International GSM-7 messages are counted in septets as well; -1 once a character
            // is outside GSM-7 (and always on the mainland).
            var septets = fixedSeptets
            for bindingIndex in 0..<bindingCount {
                let binding = bindings[bindingIndex]
                let value = binding.index < count ? field(binding.index) : UnsafeBufferPointer(start: nil, count: 0)
                guard let units = RowRules.quickLength(of: value, binding) else {
                    setAside(start: start, line: line, into: &chunk)
                    return
                }
                length += units
                if septets >= 0 {
                    let more = RowRules.quickSeptets(of: value, binding)
                    septets = more < 0 ? -1 : septets + more
                }
                // An empty value stands for the default, which the renderer holds.
                if valueCount > 0 { values[binding.position] = value }
            }
            if septets >= 0 {
                length = septets
                record.gsm7 = true
            }
            if !RowRules.lengthFits(length, checked: checksLength) {
                setAside(start: start, line: line, into: &chunk)
                return
            }
            record.length = Int32(truncatingIfNeeded: length)
            if let renderer {
                let sink = TableSink(table: chunk.rows)
                record.key = renderer._withUnsafeGuaranteedRef { $0.render(phone: phone, values: values, into: sink) }
            }
            record.fragmentEnd = Int32(truncatingIfNeeded: chunk.rows.byteCount)
            chunk.rows.append(record)
        }
    }

}
