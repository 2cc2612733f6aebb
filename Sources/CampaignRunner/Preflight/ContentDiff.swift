/// A word-level difference between two template contents, for a message that shows both sides:
/// `特惠[-8-]{+9+}折` (`[-…-]` only in the first, `{+…+}` only in the second), as
/// `git diff --word-diff` writes it.
///
/// Words are runs of letters and digits of scripts written with spaces; Chinese (and other
/// ideographic) text is compared character by character; a `${name}` placeholder is one word, and
/// so is each space and each punctuation mark. Long unchanged stretches are shortened to their
/// ends around `…`.
struct ContentDiff: Sendable, Hashable {
    /// One stretch of the comparison.
    enum Part: Sendable, Hashable {
        /// In both.
        case same(String)
        /// Only in the first (`removed`) and only in the second (`added`); either may be empty.
        case changed(removed: String, added: String)
    }

    /// The stretches, in order.
    var parts: [Part]

    /// The most words (spaces not counted) of unchanged context shown on each side of a change.
    static let context = 8
    /// Beyond this many words on either side, the whole texts are shown as one change.
    static let wordLimit = 2_000

    /// The difference from `first` to `second`.
    init(from first: String, to second: String) {
        let left = Self.words(first), right = Self.words(second)
        guard left.count <= Self.wordLimit, right.count <= Self.wordLimit else {
            parts = [.changed(removed: first, added: second)]
            return
        }
        parts = Self.merged(Self.script(left, right))
    }

    /// `text` with every run of white space (line breaks included) made one space, and none at
    /// either end: contents are compared this way.
    static func collapsingWhiteSpace(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The difference written out: unchanged text (shortened), `[-removed-]{+added+}` for each change.
    var rendered: String {
        var text = ""
        for (index, part) in parts.enumerated() {
            switch part {
            case .changed(let removed, let added):
                if !removed.isEmpty { text += "[-\(removed)-]" }
                if !added.isEmpty { text += "{+\(added)+}" }
            case .same(let same):
                text += Self.shortened(same, keepsStart: index > 0, keepsEnd: index < parts.count - 1)
            }
        }
        return text
    }

    // MARK: - Words

    /// `text` cut into words, spaces, placeholders and single other characters.
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var rest = Substring(text)
        while let character = rest.first {
            if rest.hasPrefix("${"), let close = rest.firstIndex(of: "}") {
                if !current.isEmpty { words.append(current); current = "" }
                words.append(String(rest[...close]))
                rest = rest[rest.index(after: close)...]
                continue
            }
            if isWordCharacter(character) {
                current.append(character)
            } else {
                if !current.isEmpty { words.append(current); current = "" }
                words.append(String(character))
            }
            rest = rest.dropFirst()
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// A letter or digit of a script written with spaces between words (not Chinese, Japanese or Korean).
    static func isWordCharacter(_ character: Character) -> Bool {
        guard character.isLetter || character.isNumber else { return false }
        return !character.unicodeScalars.contains { scalar in
            scalar.properties.isIdeographic || (0x3040...0x30FF).contains(scalar.value) || (0xAC00...0xD7AF).contains(scalar.value)
        }
    }

    // MARK: - Comparison

    /// The edit script of a longest common subsequence of words: each word kept, removed or added.
    static func script(_ left: [String], _ right: [String]) -> [Part] {
        let columns = right.count + 1
        // lengths[i * columns + j]: the longest common subsequence of left[i...] and right[j...].
        var lengths = [Int](repeating: 0, count: (left.count + 1) * columns)
        for i in stride(from: left.count - 1, through: 0, by: -1) {
            for j in stride(from: right.count - 1, through: 0, by: -1) {
                lengths[i * columns + j] = left[i] == right[j]
                    ? lengths[(i + 1) * columns + j + 1] + 1
                    : max(lengths[(i + 1) * columns + j], lengths[i * columns + j + 1])
            }
        }
        var parts: [Part] = []
        var i = 0, j = 0
        while i < left.count || j < right.count {
            if i < left.count, j < right.count, left[i] == right[j] {
                parts.append(.same(left[i])); i += 1; j += 1
            } else if j == right.count || (i < left.count && lengths[(i + 1) * columns + j] >= lengths[i * columns + j + 1]) {
                parts.append(.changed(removed: left[i], added: "")); i += 1
            } else {
                parts.append(.changed(removed: "", added: right[j])); j += 1
            }
        }
        return parts
    }

    /// Adjacent parts of one kind joined; an unchanged stretch of one word (or of spaces only)
    /// between two changes is taken into them, so that a change reads as one phrase.
    static func merged(_ parts: [Part]) -> [Part] {
        var joined: [Part] = []
        for part in parts {
            switch (joined.last, part) {
            case (.same(let a)?, .same(let b)):
                joined[joined.count - 1] = .same(a + b)
            case (.changed(let r1, let a1)?, .changed(let r2, let a2)):
                joined[joined.count - 1] = .changed(removed: r1 + r2, added: a1 + a2)
            default:
                joined.append(part)
            }
        }
        var result: [Part] = []
        var index = 0
        while index < joined.count {
            if case .same(let same) = joined[index], index > 0, index + 1 < joined.count, words(same).filter({ $0 != " " }).count <= 1,
               case .changed(let r1, let a1)? = result.last, case .changed(let r2, let a2) = joined[index + 1] {
                result[result.count - 1] = .changed(removed: r1 + same + r2, added: a1 + same + a2)
                index += 2
                continue
            }
            result.append(joined[index])
            index += 1
        }
        return result
    }

    /// An unchanged stretch with `context` words (spaces not counted) kept next to each change
    /// and the rest as `…`, when that leaves out at least three words.
    static func shortened(_ text: String, keepsStart: Bool, keepsEnd: Bool) -> String {
        let parts = words(text)
        let head = keepsStart ? kept(parts) : 0
        let tail = keepsEnd ? kept(parts.reversed()) : 0
        guard parts.count - head - tail > 0, parts.dropFirst(head).dropLast(tail).filter({ $0 != " " }).count >= 3 else { return text }
        return parts.prefix(head).joined() + "…" + parts.suffix(tail).joined()
    }

    /// How many of `parts`, from the start, hold `context` words that are not spaces.
    private static func kept(_ parts: some Collection<String>) -> Int {
        var taken = 0, counted = 0
        for part in parts where counted < context {
            taken += 1
            if part != " " { counted += 1 }
        }
        return taken
    }
}
