import YAMLSyntax

/// Decodes a campaign file's node tree into a `Campaign`, collecting a diagnostic for every
/// problem instead of stopping at the first.
struct CampaignDecoder {
    /// The keys of a mapping that decoded, by name.
    struct Fields {
        /// The mapping node.
        var node: YAMLNode
        /// The range of the key that introduced this mapping, where "missing key" points.
        var anchor: SourceRange
        /// The section's dotted path, for messages.
        var section: String
        /// Pairs by key text.
        var pairs: [String: YAMLPair]
        /// Known keys that an unknown key was taken for ("did you mean"), so that their absence
        /// is not reported a second time.
        var misspelled: Set<String> = []

        subscript(_ key: String) -> YAMLNode? { pairs[key]?.value }

        func keyRange(_ key: String) -> SourceRange? { pairs[key]?.key.range }

        func path(_ key: String) -> String { section.isEmpty ? key : "\(section).\(key)" }
    }

    let path: String
    let text: SourceText
    private(set) var diagnostics: [Diagnostic] = []

    /// The pieces decoded so far, usable for recipient checks even when other parts have errors.
    struct Pieces {
        var signName: String?
        var content: String?
        var contentRange: SourceRange?
        var parameters: [Parameter] = []
        var recipients: Recipients?
        var sending = Sending()
        var sendingKey: SourceRange?
        /// The template's destination (mainland where the template is broken).
        var destination = Destination.mainland
    }

    /// The pieces decoded so far.
    var pieces = Pieces()

    init(path: String, text: SourceText) {
        self.path = path
        self.text = text
    }

    func location(_ range: SourceRange) -> SourceLocation {
        SourceLocation(file: path, range: range)
    }

    /// Where a value stands for the user: the alias that brought it in, or the node itself.
    func site(_ node: YAMLNode) -> SourceRange {
        node.aliasRange ?? node.range
    }

    mutating func report(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }

    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    // MARK: - Mappings

    /// The pairs of a mapping, with unknown keys reported against `known`.
    mutating func fields(_ node: YAMLNode, section: String, anchor: SourceRange, known: [String]) -> Fields? {
        guard let pairs = node.mapping else {
            let what = section.isEmpty ? "the campaign file" : "'\(section)'"
            let expected = "a mapping of keys (\(known.prefix(3).map { "'\($0)'" }.joined(separator: ", ")), …)"
            report(Diagnostic(.error, "wrong-type", "\(what) must be \(expected), found \(node.kindDescription)", at: location(node.range)))
            return nil
        }
        var fields = Fields(node: node, anchor: anchor, section: section, pairs: [:])
        for pair in pairs {
            guard let key = pair.key.scalar?.value else {
                report(.wrongType(section.isEmpty ? "key" : "\(section) key", expected: "text", found: pair.key.kindDescription, at: location(pair.key.range)))
                continue
            }
            guard known.contains(key) else {
                if !pair.isMerged {
                    let suggestion = Suggestion.closest(to: key, among: known)
                    if let suggestion { fields.misspelled.insert(suggestion) }
                    report(.unknownKey(key, in: section, suggestion: suggestion, at: location(pair.key.range)))
                }
                continue
            }
            fields.pairs[key] = pair
        }
        return fields
    }

    /// The value of a required key, or a "missing key" diagnostic.
    mutating func required(_ fields: Fields, _ key: String) -> YAMLNode? {
        if let value = fields[key], !value.isNull { return value }
        if fields[key] == nil, fields.misspelled.contains(key) { return nil }
        if let value = fields[key] {
            report(.wrongType(fields.path(key), expected: "set", found: "nothing", at: location(fields.keyRange(key) ?? value.range)))
        } else {
            report(.missingKey(key, in: fields.section, at: location(fields.anchor)))
        }
        return nil
    }

    // MARK: - Scalars

    /// Text as written: any scalar but null. Numbers keep their spelling (`0086` stays `0086`).
    mutating func text(_ node: YAMLNode, _ path: String) -> Located<String>? {
        guard let scalar = node.scalar, !node.isNull || scalar.style != .plain else {
            report(.wrongType(path, expected: "text", found: node.kindDescription, at: location(site(node))))
            return nil
        }
        return Located(scalar.value, at: site(node))
    }

    mutating func integer(_ node: YAMLNode, _ path: String, in bounds: ClosedRange<Int>) -> Located<Int>? {
        let range = bounds.upperBound == Int.max ? "at least \(bounds.lowerBound)" : "from \(bounds.lowerBound) to \(bounds.upperBound)"
        guard let value = node.intValue else {
            if let number = node.numberValue, number.isFinite, number.rounded() == number {
                report(.outOfRange(path, value: node.scalar?.value ?? "", range: range, at: location(site(node))))
            } else {
                report(.wrongType(path, expected: "a whole number", found: describe(node), at: location(site(node))))
            }
            return nil
        }
        guard bounds.contains(value) else {
            report(.outOfRange(path, value: String(value), range: range, at: location(site(node))))
            return nil
        }
        return Located(value, at: site(node))
    }

    mutating func number(_ node: YAMLNode, _ path: String, atLeast minimum: Double) -> Located<Double>? {
        guard let value = node.numberValue else {
            report(.wrongType(path, expected: "a number", found: describe(node), at: location(site(node))))
            return nil
        }
        guard value >= minimum, value.isFinite else {
            report(.outOfRange(path, value: node.scalar?.value ?? "", range: "a finite number, at least \(Int(minimum))", at: location(site(node))))
            return nil
        }
        return Located(value, at: site(node))
    }

    mutating func choice<Choice: RawRepresentable & CaseIterable>(_ node: YAMLNode, _ path: String, as: Choice.Type) -> Located<Choice>? where Choice.RawValue == String {
        guard let raw = text(node, path) else { return nil }
        if let value = Choice(rawValue: raw.value) { return Located(value, at: raw.range) }
        let choices = Choice.allCases.map(\.rawValue)
        report(.invalidChoice(path, value: raw.value, choices: choices, suggestion: Suggestion.closest(to: raw.value, among: choices), at: location(raw.range)))
        return nil
    }

    mutating func list(_ node: YAMLNode, _ path: String) -> [YAMLNode]? {
        guard let items = node.sequence else {
            report(.wrongType(path, expected: "a list", found: node.kindDescription, at: location(site(node))))
            return nil
        }
        return items
    }

    private func describe(_ node: YAMLNode) -> String {
        if let scalar = node.scalar, node.kindDescription == "text" { return "'\(Diagnostic.short(scalar.value))'" }
        return node.kindDescription
    }

    // MARK: - Fragments

    /// The range in the file of `length` scalars at `offset` of a scalar node's value. Found by
    /// matching the fragment in the node's source text, so it is exact for plain, quoted and
    /// block scalars alike; where escapes or folding hide the fragment, the whole node's range.
    func range(ofFragmentAt offset: Int, length: Int, in node: YAMLNode) -> SourceRange {
        guard let value = node.scalar?.value else { return node.range }
        let valueScalars = Array(value.unicodeScalars)
        guard offset >= 0, length > 0, offset + length <= valueScalars.count else { return node.range }
        let fragment = Array(valueScalars[offset..<(offset + length)])
        let occurrence = Self.occurrences(of: fragment, in: valueScalars, before: offset)
        let raw = Array(text.text(in: node.range).unicodeScalars)
        guard let rawOffset = Self.offset(of: fragment, in: raw, occurrence: occurrence),
              !fragment.contains("\n") else { return node.range }
        let start = text.position(from: node.range.start, advancingBy: rawOffset)
        return SourceRange(start: start, end: SourcePosition(line: start.line, column: start.column + length))
    }

    private static func occurrences(of fragment: [Unicode.Scalar], in scalars: [Unicode.Scalar], before limit: Int) -> Int {
        var count = 0
        var index = 0
        while index + fragment.count <= limit, let found = offset(of: fragment, in: scalars, from: index), found < limit {
            count += 1
            index = found + fragment.count
        }
        return count
    }

    private static func offset(of fragment: [Unicode.Scalar], in scalars: [Unicode.Scalar], occurrence: Int) -> Int? {
        var index = 0
        var seen = 0
        while let found = offset(of: fragment, in: scalars, from: index) {
            if seen == occurrence { return found }
            seen += 1
            index = found + fragment.count
        }
        return nil
    }

    private static func offset(of fragment: [Unicode.Scalar], in scalars: [Unicode.Scalar], from start: Int) -> Int? {
        guard !fragment.isEmpty, scalars.count >= fragment.count, start <= scalars.count - fragment.count else { return nil }
        for index in start...(scalars.count - fragment.count) where scalars[index] == fragment[0] {
            if Array(scalars[index..<(index + fragment.count)]) == fragment { return index }
        }
        return nil
    }
}
