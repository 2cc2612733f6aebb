import Foundation

/// A small reader for the few fixed XML shapes MNS answers with (`<Messages>`, `<Errors>`,
/// `<Error>`): elements, text with the five named entities and character references decoded,
/// CDATA sections, comments and the XML declaration. No DTD, no other entities: such an answer is
/// not MNS's and reads as nil. (FoundationXML would bring libxml2 into the self-contained binary.)
struct MNSXMLReader {
    /// An element: its local name (any prefix dropped), its child elements and its text.
    struct Element: Sendable {
        /// The name without a namespace prefix.
        var name: String
        /// Child elements in order.
        var children: [Element] = []
        /// The element's own text, entities decoded and CDATA included.
        var text = ""

        /// The first child called `name`.
        func child(_ name: String) -> Element? { children.first { $0.name == name } }
    }

    /// How deep elements may nest (MNS's answers go three deep).
    static let maxDepth = 16

    private let bytes: [UInt8]
    private var index = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The document's root element, or nil when `bytes` is not a well-formed document of the kind
    /// this reader takes.
    static func parse(_ bytes: [UInt8]) -> Element? {
        var reader = MNSXMLReader(bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { reader.index = 3 }
        guard reader.skipMisc(), let root = reader.element(depth: 0), reader.skipMisc(), reader.index == bytes.count else { return nil }
        return root
    }

    // MARK: - Structure

    /// Skips whitespace, the declaration, processing instructions and comments; false on a DTD
    /// or an unterminated one.
    private mutating func skipMisc() -> Bool {
        while index < bytes.count {
            if Self.isSpace(bytes[index]) {
                index += 1
            } else if starts("<?") {
                guard skip(past: "?>") else { return false }
            } else if starts("<!--") {
                guard skip(past: "-->") else { return false }
            } else if starts("<!") {
                return false
            } else {
                return true
            }
        }
        return true
    }

    private mutating func element(depth: Int) -> Element? {
        guard depth < Self.maxDepth, index < bytes.count, bytes[index] == UInt8(ascii: "<") else { return nil }
        index += 1
        let nameStart = index
        while index < bytes.count, !Self.isSpace(bytes[index]), bytes[index] != UInt8(ascii: "/"), bytes[index] != UInt8(ascii: ">") { index += 1 }
        let rawName = Array(bytes[nameStart..<index])
        guard !rawName.isEmpty, let name = Self.localName(rawName), let selfClosing = skipAttributes() else { return nil }
        var element = Element(name: name)
        if selfClosing { return element }
        var text: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            if byte != UInt8(ascii: "<"), byte != UInt8(ascii: "&") {
                // A run of plain text, taken at once up to the next markup or reference.
                let start = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "<"), bytes[index] != UInt8(ascii: "&") { index += 1 }
                text += bytes[start..<index]
                continue
            }
            if starts("</") {
                index += 2
                guard starts(rawName) else { return nil }
                index += rawName.count
                while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
                guard index < bytes.count, bytes[index] == UInt8(ascii: ">") else { return nil }
                index += 1
                guard let decoded = String(bytes: text, encoding: .utf8) else { return nil }
                element.text = decoded
                return element
            } else if starts("<![CDATA[") {
                index += 9
                let start = index
                guard skip(past: "]]>") else { return nil }
                text += bytes[start..<(index - 3)]
            } else if starts("<!--") || starts("<?") {
                guard skip(past: starts("<?") ? "?>" : "-->") else { return nil }
            } else if bytes[index] == UInt8(ascii: "<") {
                guard let child = self.element(depth: depth + 1) else { return nil }
                element.children.append(child)
            } else if bytes[index] == UInt8(ascii: "&") {
                guard decodeEntity(into: &text) else { return nil }
            } else {
                text.append(bytes[index])
                index += 1
            }
        }
        return nil
    }

    /// Skips a start tag's attributes (values in either quotes); whether the tag closed itself,
    /// nil when it is not well-formed.
    private mutating func skipAttributes() -> Bool? {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: ">"):
                index += 1
                return false
            case UInt8(ascii: "/"):
                guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ">") else { return nil }
                index += 2
                return true
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                let quote = bytes[index]
                index += 1
                while index < bytes.count, bytes[index] != quote {
                    if bytes[index] == UInt8(ascii: "<") { return nil }
                    index += 1
                }
                guard index < bytes.count else { return nil }
                index += 1
            case UInt8(ascii: "<"):
                return nil
            default:
                index += 1
            }
        }
        return nil
    }

    // MARK: - Text

    /// Decodes `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&#N;` or `&#xN;` at `index`.
    private mutating func decodeEntity(into text: inout [UInt8]) -> Bool {
        guard let end = bytes[index...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else { return false }
        let name = String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
        index = end + 1
        let scalar: Unicode.Scalar?
        switch name {
        case "amp": scalar = "&"
        case "lt": scalar = "<"
        case "gt": scalar = ">"
        case "quot": scalar = "\""
        case "apos": scalar = "'"
        default:
            if name.hasPrefix("#x") || name.hasPrefix("#X") {
                scalar = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
            } else if name.hasPrefix("#"), name.dropFirst().allSatisfy(\.isASCII) {
                scalar = UInt32(name.dropFirst(), radix: 10).flatMap(Unicode.Scalar.init)
            } else {
                scalar = nil
            }
        }
        guard let scalar, scalar.value != 0 else { return false }
        text += Array(String(Character(scalar)).utf8)
        return true
    }

    // MARK: - Bytes

    /// Whether the bytes at `index` are `prefix` (no array made: this is asked at every `<`).
    private func starts(_ prefix: StaticString) -> Bool {
        prefix.withUTF8Buffer { marker in
            guard bytes.count - index >= marker.count else { return false }
            for offset in 0..<marker.count where bytes[index + offset] != marker[offset] { return false }
            return true
        }
    }

    private func starts(_ prefix: [UInt8]) -> Bool {
        bytes.count - index >= prefix.count && bytes[index..<(index + prefix.count)].elementsEqual(prefix)
    }

    /// Moves past the next `marker`; false when there is none.
    private mutating func skip(past marker: String) -> Bool {
        let pattern = Array(marker.utf8)
        guard let found = bytes[index...].firstRange(of: pattern) else { return false }
        index = found.upperBound
        return true
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// The name after any `prefix:`; nil when it holds bytes no name may.
    private static func localName(_ raw: [UInt8]) -> String? {
        guard !raw.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'") || $0 == UInt8(ascii: "=") }),
              let name = String(bytes: raw, encoding: .utf8) else { return nil }
        return name.split(separator: ":").last.map(String.init)
    }
}
