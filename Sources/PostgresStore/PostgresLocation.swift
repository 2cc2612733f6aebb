import CampaignRunner
import Foundation

/// Where a shared state lives: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE]`
/// (also `postgresql://`). The password comes, as in libpq, from the URL, else `PGPASSWORD`, else
/// the password file (`PGPASSFILE` or `~/.pgpass`); it is kept out of every description, so that
/// no message, log or status shows it.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    /// How the connection is encrypted, as libpq's `sslmode` names it.
    public enum SSLMode: String, Sendable, Hashable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, without checking its certificate (libpq's default).
        case prefer
        /// TLS, without checking the server's certificate.
        case require
        /// TLS, checking the certificate and that it names the host.
        case verifyFull = "verify-full"
    }

    /// Where a password came from.
    public enum PasswordSource: String, Sendable, Hashable {
        /// The URL itself: other users of the machine can read it in the process list.
        case url
        /// `PGPASSWORD`.
        case environment
        /// The password file.
        case passfile
    }

    public var user: String
    public var password: String?
    /// Where `password` came from (nil when there is none).
    public var passwordSource: PasswordSource?
    /// What to tell the user about the password file (one that was ignored, and why).
    public var notices: [String] = []
    public var host: String
    public var port: Int
    /// Whether the URL named the port (the description shows it only then).
    public var portGiven = false
    public var database: String
    public var sslMode: SSLMode

    /// Whether `text` is meant as a database URL rather than a folder.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses `text`; `environment` gives `PGPASSWORD` when the URL has no password, and the
    /// password file (`PGPASSFILE`, else `HOME`'s `.pgpass`) when neither has one.
    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(RunStoreError) {
        func refuse(_ why: String) -> RunStoreError {
            RunStoreError(.denied, "the state URL '\(Self.mask(text))' \(why); expected postgres://USER@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require|verify-full]")
        }
        guard Self.isURL(text), let components = URLComponents(string: text) else { throw refuse("cannot be read") }
        guard let user = components.user.flatMap({ $0.removingPercentEncoding ?? $0 }), !user.isEmpty else { throw refuse("names no user") }
        guard let host = components.host, !host.isEmpty else { throw refuse("names no host") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw refuse("names no database") }
        var mode = SSLMode.prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let parsed = SSLMode(rawValue: value) else {
                    throw refuse("has sslmode '\(item.value ?? "")' (disable, prefer, require or verify-full)")
                }
                mode = parsed
            default:
                throw refuse("has the parameter '\(item.name)', which salvo does not know")
            }
        }
        self.user = user
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        port = components.port ?? 5432
        portGiven = components.port != nil
        self.database = database.removingPercentEncoding ?? database
        sslMode = mode
        if let fromURL = components.password.flatMap({ $0.removingPercentEncoding ?? $0 }) {
            password = fromURL
            passwordSource = .url
        } else if let fromEnvironment = environment["PGPASSWORD"], !fromEnvironment.isEmpty {
            password = fromEnvironment
            passwordSource = .environment
        } else if let path = PostgresPassfile.path(environment: environment) {
            let loaded = PostgresPassfile.load(path: path)
            if let warning = loaded.warning { notices.append(warning) }
            if let found = loaded.passfile?.password(host: self.host, port: port, database: self.database, user: user) {
                password = found
                passwordSource = .passfile
            }
        }
    }

    /// The warning for a password written in a URL given on the command line, where any user of
    /// the machine can read it (`ps`), with the fix.
    public static let passwordInURLWarning = "the --state URL holds a password, which other users of this machine can read in the process list (ps); "
        + "leave it out of the URL and set PGPASSWORD, or put it in ~/.pgpass (or the file PGPASSFILE names) as host:port:database:user:password, mode 0600"

    /// The URL as written (the port only when it was), its password masked (`user:***@`); a
    /// password from `PGPASSWORD` or the password file is not shown at all (`user@`).
    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let auth = passwordSource == .url ? user + ":***" : user
        return "postgres://\(auth)@\(hostPart)\(portGiven ? ":\(port)" : "")/\(database)" + (sslMode == .prefer ? "" : "?sslmode=\(sslMode.rawValue)")
    }

    /// `text` with the password of a URL replaced by `***`: for messages about a URL that could
    /// not be parsed.
    public static func mask(_ text: String) -> String {
        // The query's values are masked too, but for sslmode: '?password=…' is no parameter
        // salvo takes, and the error that says so must not print it.
        guard let question = text.firstIndex(of: "?") else { return maskCredentials(text) }
        let query = text[text.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            let name = pair.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            return name == "sslmode" || !pair.contains("=") ? String(pair) : name + "=***"
        }
        return maskCredentials(String(text[..<question])) + "?" + query.joined(separator: "&")
    }

    private static func maskCredentials(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let rest = text[scheme.upperBound...]
        guard let at = rest.lastIndex(of: "@") else { return text }
        let credentials = rest[rest.startIndex..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }
}
