/// The lines of a decoded text file, for slicing by line and column and for showing a source
/// line under a diagnostic.
///
/// Lines break at LF, CRLF, CR, NEL, LS and PS, the breaks libyaml counts, so that positions from
/// the parser and from this table agree.
public struct SourceText: Sendable {
    /// The text of each line, without its line break.
    public let lines: [Substring]

    /// Splits `text` into lines; a leading byte-order mark is not part of the first line.
    public init(_ text: String) {
        var body = Substring(text)
        if body.unicodeScalars.first == "\u{FEFF}" {
            body = Substring(body.unicodeScalars.dropFirst())
        }
        var lines: [Substring] = []
        var lineStart = body.unicodeScalars.startIndex
        var index = lineStart
        let scalars = body.unicodeScalars
        while index < scalars.endIndex {
            let scalar = scalars[index]
            switch scalar {
            case "\n", "\u{85}", "\u{2028}", "\u{2029}":
                lines.append(Substring(scalars[lineStart..<index]))
                index = scalars.index(after: index)
                lineStart = index
            case "\r":
                lines.append(Substring(scalars[lineStart..<index]))
                index = scalars.index(after: index)
                if index < scalars.endIndex, scalars[index] == "\n" {
                    index = scalars.index(after: index)
                }
                lineStart = index
            default:
                index = scalars.index(after: index)
            }
        }
        lines.append(Substring(scalars[lineStart..<scalars.endIndex]))
        self.lines = lines
    }

    /// The text of a 1-based line, or nil past the end of the file.
    public func line(_ number: Int) -> Substring? {
        guard number >= 1, number <= lines.count else { return nil }
        return lines[number - 1]
    }

    /// The text a range covers, lines joined with "\n"; positions past a line's end are clamped.
    public func text(in range: SourceRange) -> String {
        guard range.start.line <= range.end.line else { return "" }
        var parts: [Substring] = []
        for number in range.start.line...range.end.line {
            guard let line = line(number) else { break }
            let scalars = line.unicodeScalars
            let from = number == range.start.line ? range.start.column - 1 : 0
            let to = number == range.end.line ? range.end.column - 1 : scalars.count
            let lower = scalars.index(scalars.startIndex, offsetBy: min(max(from, 0), scalars.count))
            let upper = scalars.index(scalars.startIndex, offsetBy: min(max(to, 0), scalars.count))
            parts.append(lower <= upper ? Substring(scalars[lower..<upper]) : "")
        }
        return parts.joined(separator: "\n")
    }

    /// The position `count` scalars after `start`, where a line break counts as one scalar.
    public func position(from start: SourcePosition, advancingBy count: Int) -> SourcePosition {
        var line = start.line
        var column = start.column
        var remaining = count
        while remaining > 0 {
            guard let text = self.line(line) else { break }
            let room = text.unicodeScalars.count + 1 - column
            if remaining <= room {
                column += remaining
                remaining = 0
            } else {
                remaining -= room + 1
                line += 1
                column = 1
            }
        }
        return SourcePosition(line: line, column: column)
    }
}
