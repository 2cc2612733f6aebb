/// Text from users' files made safe to print: control characters (C0, DEL, C1, ESC among them)
/// and the bidirectional overrides that can reorder a line on screen are shown as escapes
/// (`\x1B`, `\u{202E}`), so a value in a recipient file can neither drive a terminal nor hide
/// text in a CI log or an annotation.
public enum PrintableText {
    /// Whether a scalar is shown as an escape.
    public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: true
        default: false
        }
    }

    /// `text` with every control character escaped; the text itself when it has none.
    public static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            out += describe(scalar)
        }
        return out
    }

    /// `text` with every control character but line feeds escaped: for output of many lines.
    public static func escapeLines(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 != "\n" && needsEscape($0) }) else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { escape(String($0)) }.joined(separator: "\n")
    }

    /// How an escaped scalar is written: `\x1B` below U+0100, `\u{202E}` above.
    public static func describe(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return scalar.value < 0x100 ? "\\x" + (hex.count < 2 ? "0" + hex : hex) : "\\u{" + hex + "}"
    }
}

extension Diagnostic {
    /// The diagnostic with every text a user's file may have put into it escaped (message, notes,
    /// fix-it, file names), as every reporter prints it.
    public var printable: Diagnostic {
        var copy = self
        copy.message = PrintableText.escape(message)
        copy.location = location.map { SourceLocation(file: PrintableText.escape($0.file), range: $0.range) }
        copy.notes = notes.map { note in
            DiagnosticNote(PrintableText.escape(note.message), at: note.location.map { SourceLocation(file: PrintableText.escape($0.file), range: $0.range) })
        }
        copy.fixIt?.message = PrintableText.escape(fixIt?.message ?? "")
        copy.fixIt?.replacement = fixIt?.replacement.map(PrintableText.escape)
        return copy
    }
}
