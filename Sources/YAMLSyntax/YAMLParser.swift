internal import CYAML

/// Bounds that keep a hostile file from costing unbounded time or memory.
public struct YAMLLimits: Sendable {
    /// The most nodes a document may hold with every alias expanded ("billion laughs" guard);
    /// a scalar counts one node per 64 bytes.
    public var maxExpandedNodes: Int
    /// The deepest nesting of lists and mappings.
    public var maxDepth: Int

    /// Creates limits; the defaults are far above any campaign file.
    public init(maxExpandedNodes: Int = 100_000, maxDepth: Int = 128) {
        self.maxExpandedNodes = maxExpandedNodes
        self.maxDepth = maxDepth
    }
}

/// The result of reading one YAML file: the root node if reading got that far, and every problem.
public struct YAMLDocument: Sendable {
    /// The document's root, or nil when the file is empty or reading stopped at a fatal problem.
    public var root: YAMLNode?
    /// Problems in file order of discovery; at most one is fatal, and it is the last.
    public var problems: [YAMLProblem]
    /// The file's lines, for showing source under diagnostics.
    public var text: SourceText
}

/// Reads YAML files into located node trees through libyaml's event API.
public enum YAMLParser {
    /// Parses one file's bytes. Never throws: every problem, including a syntax error, is returned.
    public static func parse(_ bytes: [UInt8], limits: YAMLLimits = YAMLLimits()) -> YAMLDocument {
        if let problem = encodingProblem(in: bytes) {
            let prefix = String(decoding: bytes.prefix(problem.offset), as: UTF8.self)
            let text = SourceText(String(decoding: bytes, as: UTF8.self))
            let position = SourceText(prefix).endPosition
            return YAMLDocument(
                root: nil,
                problems: [YAMLProblem(kind: problem.kind, range: SourceRange(at: position), isFatal: true)],
                text: text
            )
        }
        let text = SourceText(String(decoding: bytes, as: UTF8.self))
        var builder = TreeBuilder(limits: limits)
        // libyaml counts a byte-order mark as a column of line 1; without it, its columns match ours.
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        body.withUnsafeBufferPointer { buffer in
            readEvents(buffer, text: text, into: &builder)
        }
        return YAMLDocument(root: builder.root, problems: builder.problems, text: text)
    }

    // MARK: - Encoding

    private struct EncodingProblem {
        var kind: YAMLProblem.Kind
        var offset: Int
    }

    private static func encodingProblem(in bytes: [UInt8]) -> EncodingProblem? {
        if bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE, 0x00, 0x00]) {
            return EncodingProblem(kind: .unsupportedEncoding(name: "UTF-32"), offset: 0)
        }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            return EncodingProblem(kind: .unsupportedEncoding(name: "UTF-16"), offset: 0)
        }
        if let invalid = firstInvalidUTF8Byte(in: bytes) {
            return EncodingProblem(kind: .invalidUTF8(byte: bytes[invalid]), offset: invalid)
        }
        if let nul = bytes.firstIndex(of: 0) {
            return EncodingProblem(kind: .nulByte, offset: nul)
        }
        return nil
    }

    /// The index of the first byte that does not belong to a well-formed UTF-8 sequence (no
    /// overlong forms, no surrogates, nothing above U+10FFFF), or nil when all of `bytes` is UTF-8.
    public static func firstInvalidUTF8Byte(in bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { firstInvalidUTF8Byte(in: $0) }
    }

    /// The same over bytes in memory (the recipient row reader checks every non-ASCII field).
    public static func firstInvalidUTF8Byte(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var lowerBound: UInt8 = 0x80
            var upperBound: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lowerBound = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upperBound = 0x9F
            case 0xF0: length = 4; lowerBound = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upperBound = 0x8F
            default: return index
            }
            guard index + length <= count else { return index }
            for offset in 1..<length {
                let byte = bytes[index + offset]
                let low = offset == 1 ? lowerBound : 0x80
                let high = offset == 1 ? upperBound : 0xBF
                guard byte >= low, byte <= high else { return index }
            }
            index += length
        }
        return nil
    }

    // MARK: - Events

    private static func position(_ mark: yaml_mark_t) -> SourcePosition {
        SourcePosition(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }

    private static func readEvents(_ buffer: UnsafeBufferPointer<UInt8>, text: SourceText, into builder: inout TreeBuilder) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            builder.fail(YAMLProblem(
                kind: .syntax(problem: "libyaml could not start (out of memory)", context: nil),
                range: SourceRange(at: SourcePosition(line: 1, column: 1)), isFatal: true))
            return
        }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
        var documents = 0
        while !builder.hasFailed {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else {
                builder.fail(syntaxProblem(parser, text: text, buffer: buffer))
                return
            }
            defer { yaml_event_delete(&event) }
            let range = SourceRange(start: position(event.start_mark), end: position(event.end_mark))
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 {
                    builder.fail(YAMLProblem(kind: .multipleDocuments, range: range, isFatal: true))
                }
            case YAML_SCALAR_EVENT:
                let data = event.data.scalar
                let value = data.value.map {
                    String(decoding: UnsafeBufferPointer(start: $0, count: data.length), as: UTF8.self)
                } ?? ""
                let style: YAMLScalarStyle
                switch data.style {
                case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
                case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
                case YAML_LITERAL_SCALAR_STYLE: style = .literal
                case YAML_FOLDED_SCALAR_STYLE: style = .folded
                default: style = .plain
                }
                // A long scalar weighs more, so that aliasing it many times meets the bound too.
                let weight = 1 + data.length / 64
                let node = YAMLNode(content: .scalar(YAMLScalar(value: value, style: style)), range: range, tag: string(data.tag), weight: weight)
                builder.add(node, anchor: string(data.anchor))
            case YAML_ALIAS_EVENT:
                builder.alias(string(event.data.alias.anchor) ?? "", range: range)
            case YAML_SEQUENCE_START_EVENT:
                let data = event.data.sequence_start
                builder.start(.sequence, at: range, tag: string(data.tag), anchor: string(data.anchor))
            case YAML_MAPPING_START_EVENT:
                let data = event.data.mapping_start
                builder.start(.mapping, at: range, tag: string(data.tag), anchor: string(data.anchor))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                builder.end(at: range.end)
            default:
                break
            }
        }
    }

    private static func syntaxProblem(_ parser: yaml_parser_t, text: SourceText, buffer: UnsafeBufferPointer<UInt8>) -> YAMLProblem {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown error"
        let context = parser.context.map { String(cString: $0) }
        var at: SourcePosition
        if parser.error == YAML_READER_ERROR {
            let offset = min(Int(parser.problem_offset), buffer.count)
            at = SourceText(String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<offset]), as: UTF8.self)).endPosition
        } else {
            at = position(parser.problem_mark)
        }
        if let line = text.line(at.line) {
            let leading = line.unicodeScalars.prefix { $0 == " " || $0 == "\t" }
            if let tab = leading.firstIndex(of: "\t"), at.column <= leading.count + 1 {
                at.column = leading.distance(from: leading.startIndex, to: tab) + 1
                return YAMLProblem(kind: .tabIndentation, range: SourceRange(at: at), isFatal: true)
            }
        }
        var related: SourceRange?
        if context != nil, parser.error != YAML_READER_ERROR {
            related = SourceRange(at: position(parser.context_mark))
        }
        return YAMLProblem(
            kind: .syntax(problem: problem, context: context),
            range: SourceRange(at: at),
            relatedRange: related,
            isFatal: true
        )
    }
}

extension SourceText {
    /// The position just after the last scalar of the text.
    var endPosition: SourcePosition {
        SourcePosition(line: lines.count, column: (lines.last?.unicodeScalars.count ?? 0) + 1)
    }
}
