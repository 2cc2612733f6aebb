import CampaignRunner
import Foundation

/// Where a shared state lives: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE]`
/// (also `postgresql://`). The password comes from the URL or `PGPASSWORD`; it is kept out of
/// every description (`description` masks it), so that no message, log or status shows it.
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

    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    public var sslMode: SSLMode

    /// Whether `text` is meant as a database URL rather than a folder.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses `text`; `environment` gives `PGPASSWORD` when the URL has no password.
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
        let fromURL = components.password.flatMap { $0.removingPercentEncoding ?? $0 }
        password = fromURL ?? environment["PGPASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        port = components.port ?? 5432
        self.database = database.removingPercentEncoding ?? database
        sslMode = mode
    }

    /// The URL with the password left out (never shown, even masked, when it came from
    /// `PGPASSWORD`).
    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let auth = password == nil ? user : user + ":***"
        return "postgres://\(auth)@\(hostPart):\(port)/\(database)" + (sslMode == .prefer ? "" : "?sslmode=\(sslMode.rawValue)")
    }

    /// `text` with the password of a URL replaced by `***`: for messages about a URL that could
    /// not be parsed.
    public static func mask(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let rest = text[scheme.upperBound...]
        guard let at = rest.lastIndex(of: "@") else { return text }
        let credentials = rest[rest.startIndex..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }
}
