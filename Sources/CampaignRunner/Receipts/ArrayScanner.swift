/// Finds the elements of a JSON array in its text one at a time, without decoding them, so that
/// a large push is decoded an element at a time. What is inside an element is not checked here:
/// each element's text is then decoded on its own.
struct ArrayScanner {
    /// What comes next.
    enum Step: Equatable {
        /// An element's text, whitespace around it left out.
        case element(Range<Int>)
        /// The array's end, with nothing but whitespace after it.
        case end
        /// The text is not an array (or has something after its end).
        case notAnArray
    }

    private var index = 0
    private var started = false
    private var finished: Step?

    /// The next element of the array in `bytes` (the same bytes at every call).
    mutating func next(_ bytes: UnsafeRawBufferPointer) -> Step {
        if let finished { return finished }
        let count = bytes.count
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
        func skipSpace() { while index < count, isSpace(bytes[index]) { index += 1 } }
        func finish(_ step: Step) -> Step {
            finished = step
            return step
        }
        skipSpace()
        if !started {
            guard index < count, bytes[index] == 0x5B else { return finish(.notAnArray) }
            index += 1
            started = true
            skipSpace()
            if index < count, bytes[index] == 0x5D {
                index += 1
                skipSpace()
                return finish(index == count ? .end : .notAnArray)
            }
        }
        let start = index
        var depth = 0
        var inString = false
        scanning: while index < count {
            let byte = bytes[index]
            if inString {
                if byte == 0x5C {
                    index += 2
                    continue
                }
                if byte == 0x22 { inString = false }
                index += 1
                continue
            }
            switch byte {
            case 0x22: inString = true
            case 0x7B, 0x5B: depth += 1
            case 0x7D, 0x5D:
                if depth == 0 { break scanning }
                depth -= 1
            case 0x2C where depth == 0: break scanning
            default: break
            }
            index += 1
        }
        guard index < count else { return finish(.notAnArray) }
        var end = index
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        guard end > start else { return finish(.notAnArray) }
        let separator = bytes[index]
        index += 1
        switch separator {
        case 0x2C:
            break
        case 0x5D:
            skipSpace()
            finished = index == count ? .end : .notAnArray
        default:
            return finish(.notAnArray)
        }
        return .element(start..<end)
    }
}
