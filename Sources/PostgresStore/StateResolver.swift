import CampaignRunner
import Foundation

/// The one place that chooses where runs are kept, from `--state` or `SALVO_STATE`: a folder
/// (`FolderBackend`, one SQLite store per campaign) or a PostgreSQL URL (`PostgresBackend`). It
/// lives here, beside the one backend CampaignRunner does not know, so that CampaignRunner never
/// imports PostgreSQL; a third database adds its backend and one case below.
public enum StateResolver {
    /// A backend, and what to warn about once (never the password).
    public struct Resolved: Sendable {
        /// Where runs are kept.
        public var backend: any StateBackend
        /// Warnings about how the state was given (a password in a URL, an ignored password file).
        public var warnings: [String]
    }

    /// `given` (`--state`), else `SALVO_STATE`, else the default folder. A malformed URL throws
    /// (its password is never in the message).
    public static func resolve(_ given: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(RunStoreError) -> Resolved {
        let text = given ?? RunOptions.defaultStateFolder(environment: environment)
        guard PostgresLocation.isURL(text) else {
            // Another database's URL is no folder: refused, its password masked, rather than a
            // folder made with the password in its name.
            if let scheme = text.range(of: "://"), !text[..<scheme.lowerBound].contains("/") {
                throw RunStoreError(.denied, "the state '\(PostgresLocation.mask(text))' is a URL of a database salvo cannot keep state in; give a folder or postgres://USER@HOST[:PORT]/DATABASE")
            }
            return Resolved(backend: FolderBackend(root: text), warnings: [])
        }
        let database = try PostgresLocation(url: text, environment: environment)
        var warnings = database.notices
        if given != nil, database.passwordSource == .url { warnings.append(PostgresLocation.passwordInURLWarning) }
        // What stays on this machine goes to the default folder, which `SALVO_STATE` (the URL)
        // does not name.
        var local = environment
        local["SALVO_STATE"] = nil
        return Resolved(backend: PostgresBackend(database: database, localFolder: RunOptions.defaultStateFolder(environment: local)), warnings: warnings)
    }
}
