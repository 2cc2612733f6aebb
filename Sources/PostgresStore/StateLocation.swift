import CampaignRunner
import Foundation

/// Where runs are kept, as `--state` or `SALVO_STATE` says: a folder (one SQLite store per
/// campaign) or a PostgreSQL database (one schema for every campaign, shared by runners).
public enum StateLocation: Sendable, CustomStringConvertible {
    case folder(String)
    case postgres(PostgresLocation)

    /// `given` (`--state`), else `SALVO_STATE`, else the default folder.
    public static func resolve(_ given: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(RunStoreError) -> StateLocation {
        let text = given ?? RunOptions.defaultStateFolder(environment: environment)
        if PostgresLocation.isURL(text) { return .postgres(try PostgresLocation(url: text, environment: environment)) }
        return .folder(text)
    }

    /// The folder, when it is one.
    public var folder: String? {
        if case .folder(let path) = self { return path }
        return nil
    }

    /// A store for `campaign`'s run: nil for a folder (the runner and readers open the campaign's
    /// SQLite store themselves, under its lock).
    public func store(campaign: String, leaseSeconds: Double = 30) -> PostgresRunStore? {
        guard case .postgres(let location) = self else { return nil }
        return PostgresRunStore(database: location, campaign: campaign, leaseSeconds: leaseSeconds)
    }

    /// For messages: the folder, or the URL with its password masked.
    public var description: String {
        switch self {
        case .folder(let path): path
        case .postgres(let location): location.description
        }
    }
}
