/// A `${name}` placeholder or a malformed attempt at one, found in template content.
public struct TemplateToken: Sendable, Hashable {
    /// What was found.
    public enum Kind: Sendable, Hashable {
        /// A well-formed `${name}`.
        case placeholder(name: String)
        /// `${` with no `}` after it on the same line.
        case unclosed
        /// `${}`.
        case empty
        /// `${…}` whose name has characters other than letters, digits and `_`.
        case invalidName(String)
        /// `{{name}}`, the wrong template syntax for Alibaba Cloud.
        case mustache(name: String)
    }

    /// What was found.
    public var kind: Kind
    /// Offset of the token's first scalar in the content, in Unicode scalars.
    public var offset: Int
    /// The token's text as written.
    public var text: String
}

/// Finds the placeholders of Alibaba Cloud template content (`${name}`) and the mistakes people
/// make writing them.
public enum PlaceholderParser {
    /// Every token in `content`, in order.
    public static func tokens(in content: String) -> [TemplateToken] {
        let scalars = Array(content.unicodeScalars)
        var tokens: [TemplateToken] = []
        var index = 0
        while index < scalars.count {
            if scalars[index] == "$", index + 1 < scalars.count, scalars[index + 1] == "{" {
                var close = index + 2
                while close < scalars.count, scalars[close] != "}", scalars[close] != "\n", !(scalars[close] == "$" && close + 1 < scalars.count && scalars[close + 1] == "{") {
                    close += 1
                }
                guard close < scalars.count, scalars[close] == "}" else {
                    tokens.append(TemplateToken(kind: .unclosed, offset: index, text: "${"))
                    index += 2
                    continue
                }
                let name = String(String.UnicodeScalarView(scalars[(index + 2)..<close]))
                let text = String(String.UnicodeScalarView(scalars[index...close]))
                let kind: TemplateToken.Kind
                if name.isEmpty {
                    kind = .empty
                } else if name.unicodeScalars.allSatisfy(isNameScalar) {
                    kind = .placeholder(name: name)
                } else {
                    kind = .invalidName(name)
                }
                tokens.append(TemplateToken(kind: kind, offset: index, text: text))
                index = close + 1
            } else if scalars[index] == "{", index + 1 < scalars.count, scalars[index + 1] == "{" {
                var close = index + 2
                while close + 1 < scalars.count, !(scalars[close] == "}" && scalars[close + 1] == "}"), scalars[close] != "\n" {
                    close += 1
                }
                if close + 1 < scalars.count, scalars[close] == "}", scalars[close + 1] == "}" {
                    let name = String(String.UnicodeScalarView(scalars[(index + 2)..<close])).trimmingSpaces
                    if !name.isEmpty, name.unicodeScalars.allSatisfy(isNameScalar) {
                        let text = String(String.UnicodeScalarView(scalars[index...(close + 1)]))
                        tokens.append(TemplateToken(kind: .mustache(name: name), offset: index, text: text))
                        index = close + 2
                        continue
                    }
                }
                index += 1
            } else {
                index += 1
            }
        }
        return tokens
    }

    /// The placeholder names of `content`, in order, counting repeats.
    public static func placeholderNames(in content: String) -> [String] {
        tokens(in: content).compactMap {
            if case .placeholder(let name) = $0.kind { return name }
            return nil
        }
    }

    /// Content with each `${name}` replaced by `values[name]` (left as written where absent).
    public static func render(_ content: String, values: [String: String]) -> String {
        var result = ""
        var scalars = Array(content.unicodeScalars)[...]
        var consumed = 0
        for token in tokens(in: content) {
            guard case .placeholder(let name) = token.kind, let value = values[name] else { continue }
            let before = scalars.prefix(token.offset - consumed)
            result.unicodeScalars.append(contentsOf: before)
            result += value
            let length = token.text.unicodeScalars.count
            scalars = scalars.dropFirst(token.offset - consumed + length)
            consumed = token.offset + length
        }
        result.unicodeScalars.append(contentsOf: scalars)
        return result
    }

    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_"
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
              let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
