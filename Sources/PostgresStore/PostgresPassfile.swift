import Foundation

/// A libpq password file (`~/.pgpass`, or the file `PGPASSFILE` names): lines of
/// `hostname:port:database:username:password`, where a field of `*` matches anything, `\:` and
/// `\\` stand for `:` and `\`, and lines starting with `#` are comments. The first line that
/// matches wins. As libpq does, a file that group or others may read or write is ignored, with a
/// warning.
public struct PostgresPassfile: Sendable, Hashable {
    /// One line: four patterns (nil for `*`) and the password.
    public struct Entry: Sendable, Hashable {
        /// The host name it is for; nil for any.
        public var host: String?
        /// The port, as written; nil for any.
        public var port: String?
        /// The database; nil for any.
        public var database: String?
        /// The user; nil for any.
        public var user: String?
        /// The password, escapes undone.
        public var password: String

        /// Whether the line is for this connection.
        public func matches(host: String, port: Int, database: String, user: String) -> Bool {
            (self.host == nil || self.host == host) && (self.port == nil || self.port == String(port))
                && (self.database == nil || self.database == database) && (self.user == nil || self.user == user)
        }
    }

    /// The lines that could be read, in order.
    public var entries: [Entry]

    /// Parses the text of a password file; lines with fewer than five fields are skipped, as libpq
    /// skips them.
    public init(text: String) {
        var entries: [Entry] = []
        for raw in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            var line = Substring(raw)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if let entry = Self.entry(line) { entries.append(entry) }
        }
        self.entries = entries
    }

    /// The password of the first line for this connection; nil when none matches (or its
    /// password is empty, which libpq also takes as none).
    public func password(host: String, port: Int, database: String, user: String) -> String? {
        guard let entry = entries.first(where: { $0.matches(host: host, port: port, database: database, user: user) }) else { return nil }
        return entry.password.isEmpty ? nil : entry.password
    }

    /// The file libpq reads: `PGPASSFILE`, else `~/.pgpass`.
    public static func path(environment: [String: String]) -> String? {
        if let given = environment["PGPASSFILE"], !given.isEmpty { return given }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.pgpass"
    }

    /// What reading the file gave: the file (nil when there is none or it was ignored), and a
    /// warning when it was ignored.
    public struct Loaded: Sendable {
        /// The file's lines; nil when there is no file or it was ignored.
        public var passfile: PostgresPassfile?
        /// Why the file was ignored.
        public var warning: String?
    }

    /// Reads the password file at `path`. A missing file is no file, silently; one that is not a
    /// regular file, or that group or others may read or write, is ignored with a warning.
    public static func load(path: String) -> Loaded {
        var info = stat()
        guard stat(path, &info) == 0 else { return Loaded() }
        guard info.st_mode & S_IFMT == S_IFREG else {
            return Loaded(warning: "password file '\(path)' is not a plain file; it is ignored")
        }
        if info.st_mode & 0o077 != 0 {
            return Loaded(warning: "password file '\(path)' has group or world access (mode \(String(info.st_mode & 0o777, radix: 8))); it is ignored. Permissions should be u=rw (0600) or less: chmod 600 '\(path)'")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return Loaded(warning: "password file '\(path)' cannot be read; it is ignored")
        }
        return Loaded(passfile: PostgresPassfile(text: String(decoding: data, as: UTF8.self)))
    }

    /// Splits a line into its five fields, undoing `\` escapes. As in libpq, the password ends at
    /// the next unescaped `:`, and a `\` at the very end stays.
    private static func entry(_ line: Substring) -> Entry? {
        var fields: [(text: String, wildcard: Bool)] = []
        var current = ""
        var escaped = false
        var wasEscaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
                wasEscaped = true
            } else if character == "\\" {
                escaped = true
            } else if character == ":" {
                if fields.count == 4 { break }
                fields.append((current, current == "*" && !wasEscaped))
                current = ""
                wasEscaped = false
            } else {
                current.append(character)
            }
        }
        guard fields.count == 4 else { return nil }
        if escaped { current.append("\\") }
        func pattern(_ field: (text: String, wildcard: Bool)) -> String? { field.wildcard ? nil : field.text }
        return Entry(host: pattern(fields[0]), port: pattern(fields[1]), database: pattern(fields[2]), user: pattern(fields[3]), password: current)
    }
}
