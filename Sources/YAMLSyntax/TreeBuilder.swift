/// Assembles parser events into a node tree: resolves aliases under the expansion bound, applies
/// merge keys, and notes duplicate keys.
struct TreeBuilder {
    enum CollectionKind { case sequence, mapping }

    private struct Frame {
        var kind: CollectionKind
        var range: SourceRange
        var tag: String?
        var anchor: String?
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var pendingKey: YAMLNode?
        var weight = 1
        var keyRanges: [String: SourceRange] = [:]
    }

    let limits: YAMLLimits
    private var stack: [Frame] = []
    private var anchors: [String: YAMLNode] = [:]
    private var expandedNodes = 0
    private(set) var root: YAMLNode?
    private(set) var problems: [YAMLProblem] = []
    private(set) var hasFailed = false

    init(limits: YAMLLimits) {
        self.limits = limits
    }

    mutating func fail(_ problem: YAMLProblem) {
        problems.append(problem)
        hasFailed = true
    }

    mutating func start(_ kind: CollectionKind, at range: SourceRange, tag: String?, anchor: String?) {
        guard stack.count < limits.maxDepth else {
            fail(YAMLProblem(kind: .nestingTooDeep(limit: limits.maxDepth), range: range, isFatal: true))
            return
        }
        stack.append(Frame(kind: kind, range: range, tag: tag, anchor: anchor))
    }

    mutating func end(at position: SourcePosition) {
        guard var frame = stack.popLast() else { return }
        let range = SourceRange(start: frame.range.start, end: position)
        var node: YAMLNode
        switch frame.kind {
        case .sequence:
            node = YAMLNode(content: .sequence(frame.items), range: range, tag: frame.tag, weight: frame.weight)
        case .mapping:
            if let key = frame.pendingKey {
                // A key without a value cannot come from libyaml; keep it with a null value.
                frame.pairs.append(YAMLPair(key: key, value: YAMLNode(content: .scalar(YAMLScalar(value: "", style: .plain)), range: SourceRange(at: key.range.end)), isMerged: false))
            }
            node = YAMLNode(content: .mapping(applyingMerges(frame.pairs)), range: range, tag: frame.tag, weight: frame.weight)
        }
        add(node, anchor: frame.anchor)
    }

    mutating func alias(_ name: String, range: SourceRange) {
        guard var node = anchors[name] else {
            fail(YAMLProblem(kind: .undefinedAlias(name: name), range: range, isFatal: true))
            return
        }
        expandedNodes += node.weight
        guard expandedNodes <= limits.maxExpandedNodes else {
            fail(YAMLProblem(
                kind: .aliasExpansionLimit(alias: name, limit: limits.maxExpandedNodes),
                range: range, relatedRange: node.range, isFatal: true))
            return
        }
        node.aliasRange = range
        add(node, anchor: nil)
    }

    mutating func add(_ node: YAMLNode, anchor: String?) {
        if let anchor {
            anchors[anchor] = node
        }
        guard !stack.isEmpty else {
            root = node
            return
        }
        let top = stack.count - 1
        stack[top].weight += node.weight
        switch stack[top].kind {
        case .sequence:
            stack[top].items.append(node)
        case .mapping:
            guard let key = stack[top].pendingKey else {
                stack[top].pendingKey = node
                return
            }
            stack[top].pendingKey = nil
            if let name = key.scalar?.value, !Self.isMergeKey(key) {
                if let first = stack[top].keyRanges[name] {
                    problems.append(YAMLProblem(
                        kind: .duplicateKey(key: name, first: first),
                        range: key.range, relatedRange: first, isFatal: false))
                    return
                }
                stack[top].keyRanges[name] = key.range
            }
            stack[top].pairs.append(YAMLPair(key: key, value: node, isMerged: false))
        }
    }

    private static func isMergeKey(_ key: YAMLNode) -> Bool {
        guard let scalar = key.scalar, scalar.value == "<<" else { return false }
        return (key.tag == nil && scalar.style == .plain) || key.tag == "tag:yaml.org,2002:merge"
    }

    /// Replaces `<<` pairs by the pairs they merge in; keys written in place win, then earlier
    /// merged mappings over later ones (YAML's merge-key rules).
    private mutating func applyingMerges(_ pairs: [YAMLPair]) -> [YAMLPair] {
        guard pairs.contains(where: { Self.isMergeKey($0.key) }) else { return pairs }
        var explicit: [YAMLPair] = []
        var sources: [YAMLNode] = []
        for pair in pairs {
            if Self.isMergeKey(pair.key) {
                sources.append(pair.value)
            } else {
                explicit.append(pair)
            }
        }
        var present = Set(explicit.compactMap { $0.key.scalar?.value })
        var merged: [YAMLPair] = []
        for source in sources {
            let mappings: [YAMLNode]
            if source.mapping != nil {
                mappings = [source]
            } else if let items = source.sequence, items.allSatisfy({ $0.mapping != nil }) {
                mappings = items
            } else {
                problems.append(YAMLProblem(kind: .invalidMerge, range: source.aliasRange ?? source.range, isFatal: false))
                continue
            }
            for mapping in mappings {
                for pair in mapping.mapping ?? [] {
                    guard let name = pair.key.scalar?.value, !present.contains(name) else { continue }
                    present.insert(name)
                    var copy = pair
                    copy.isMerged = true
                    merged.append(copy)
                }
            }
        }
        return explicit + merged
    }
}
