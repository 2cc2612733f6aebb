/// How a scalar was written in the file.
public enum YAMLScalarStyle: Sendable, Hashable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

/// A scalar's text as the parser read it, with its style.
public struct YAMLScalar: Sendable, Hashable {
    /// The scalar's value after YAML's quoting and folding rules, before any typing.
    public var value: String
    /// How it was written: only plain scalars can be booleans, numbers or null.
    public var style: YAMLScalarStyle
}

/// One key and value of a mapping.
public struct YAMLPair: Sendable {
    /// The key node, as written.
    public var key: YAMLNode
    /// The value node.
    public var value: YAMLNode
    /// True when the pair came in through a merge key `<<` rather than being written in place.
    public var isMerged: Bool
}

/// A node of the YAML tree, with the range it covers in the file.
///
/// Aliases are resolved into copies of their anchored node (which keep the anchor's ranges); the
/// tree shares storage between copies, and `weight` counts the nodes as if expanded, which is what
/// the expansion bound limits.
public struct YAMLNode: Sendable {
    /// What the node holds.
    public enum Content: Sendable {
        case scalar(YAMLScalar)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    /// What the node holds.
    public var content: Content
    /// Where the node stands in the file.
    public var range: SourceRange
    /// An explicit tag, resolved to its full form (`tag:yaml.org,2002:str`), if one was written.
    public var tag: String?
    /// Where the node was reached through an alias, the alias's own range.
    public var aliasRange: SourceRange?
    /// The number of nodes below and including this one, with aliases expanded (a scalar counts
    /// one more per 64 bytes of text).
    public var weight: Int

    /// Creates a node.
    public init(content: Content, range: SourceRange, tag: String? = nil, weight: Int = 1) {
        self.content = content
        self.range = range
        self.tag = tag
        self.weight = weight
    }
}

// MARK: - YAML 1.2 core schema

extension YAMLNode {
    /// The scalar, if this node is one.
    public var scalar: YAMLScalar? {
        if case .scalar(let scalar) = content { return scalar }
        return nil
    }

    /// The items, if this node is a sequence.
    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// The pairs, if this node is a mapping.
    public var mapping: [YAMLPair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    private var isPlainUntagged: Bool {
        guard let scalar, tag == nil else { return false }
        return scalar.style == .plain
    }

    /// True for `null`, `~` and an empty plain scalar (YAML 1.2 core schema), or a `!!null` tag.
    public var isNull: Bool {
        if tag == "tag:yaml.org,2002:null" { return true }
        guard isPlainUntagged, let value = scalar?.value else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(value)
    }

    /// The boolean of a plain `true`/`false` (any of the core schema's three spellings).
    /// `yes`, `no`, `on` and `off` are text in YAML 1.2, so this is nil for them.
    public var boolValue: Bool? {
        guard isPlainUntagged || tag == "tag:yaml.org,2002:bool", let value = scalar?.value else { return nil }
        switch value {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    /// The integer of a plain scalar that the core schema reads as one (`12`, `-3`, `0x1F`, `0o17`).
    public var intValue: Int? {
        guard isPlainUntagged || tag == "tag:yaml.org,2002:int", let value = scalar?.value else { return nil }
        if value.hasPrefix("0x") { return Int(value.dropFirst(2), radix: 16) }
        if value.hasPrefix("0o") { return Int(value.dropFirst(2), radix: 8) }
        let digits = value.first == "-" || value.first == "+" ? value.dropFirst() : Substring(value)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(value)
    }

    /// The number of a plain scalar that the core schema reads as an integer or a float.
    public var numberValue: Double? {
        if let int = intValue { return Double(int) }
        guard isPlainUntagged || tag == "tag:yaml.org,2002:float", let value = scalar?.value else { return nil }
        switch value {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
        var scalars = Substring(value).unicodeScalars[...]
        if let first = scalars.first, first == "-" || first == "+" { scalars = scalars.dropFirst() }
        let mantissaEnd = scalars.firstIndex { $0 == "e" || $0 == "E" } ?? scalars.endIndex
        let mantissa = scalars[scalars.startIndex..<mantissaEnd]
        let parts = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let isDigits: (Substring.UnicodeScalarView.SubSequence) -> Bool = { $0.allSatisfy { ("0"..."9").contains($0) } }
        guard !mantissa.isEmpty, parts.allSatisfy(isDigits), parts.contains(where: { !$0.isEmpty }) else { return nil }
        if mantissaEnd < scalars.endIndex {
            var exponent = scalars[scalars.index(after: mantissaEnd)...]
            if let sign = exponent.first, sign == "-" || sign == "+" { exponent = exponent.dropFirst() }
            guard !exponent.isEmpty, isDigits(exponent) else { return nil }
        }
        return Double(value)
    }

    /// A short noun for what the node is, for messages: "text", "a number", "a list", …
    public var kindDescription: String {
        switch content {
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .scalar:
            if isNull { return "nothing" }
            if boolValue != nil { return "a boolean" }
            if numberValue != nil { return "a number" }
            return "text"
        }
    }
}
