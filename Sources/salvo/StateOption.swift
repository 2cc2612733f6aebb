import ArgumentParser
import CampaignCompiler
import CampaignRunner
import Foundation
import PostgresStore
import Synchronization

/// The help of every `--state`.
let stateHelp: ArgumentHelp = """
    A state folder, or a PostgreSQL URL postgres://USER@HOST[:PORT]/DB[?sslmode=disable|require|verify-full] shared by \
    runners on any machine (password from PGPASSWORD or ~/.pgpass; one in the URL shows in ps). Default: $SALVO_STATE, else $XDG_STATE_HOME/salvo or ~/.local/state/salvo.
    """

/// Where state lives for a command: `--state`, else `SALVO_STATE`, else the default folder. A
/// malformed URL is a usage error (64); its password is never shown. A password written in a
/// `--state` URL, and a password file that was ignored, are warned about once per process.
func stateLocation(_ given: String?) throws -> StateLocation {
    let location: StateLocation
    do {
        location = try StateLocation.resolve(given)
    } catch {
        Terminal.standardError("salvo: error: \(error.message)")
        throw ExitCode(64)
    }
    if case .postgres(let database) = location {
        var warnings = database.notices
        if given != nil, database.passwordSource == .url { warnings.append(PostgresLocation.passwordInURLWarning) }
        StateWarnings.shared.show(warnings)
    }
    return location
}

/// The state's warnings already shown by this process: each is shown once however often the
/// state is resolved.
final class StateWarnings: Sendable {
    static let shared = StateWarnings()
    private let shown = Mutex<Set<String>>([])

    func show(_ warnings: [String]) {
        for warning in warnings where shown.withLock({ $0.insert(warning).inserted }) {
            Terminal.standardError("salvo: warning: \(warning)")
        }
    }
}

extension StateLocation {
    /// The folder that keeps what stays on this machine: the state folder itself, or for a
    /// database the default folder (the replies ledger and suppression list of `salvo receipts`).
    var localFolder: String {
        if let folder { return folder }
        var environment = ProcessInfo.processInfo.environment
        environment["SALVO_STATE"] = nil
        return RunOptions.defaultStateFolder(environment: environment)
    }

    /// A reader of `campaign`'s state.
    func reader(for campaign: Campaign) -> StatusReader {
        if let store = store(campaign: campaign.id.value) { return StatusReader(campaign: campaign, store: store) }
        return StatusReader(campaign: campaign, stateFolder: localFolder)
    }
}
