import ArgumentParser
import CampaignRunner
import Foundation
import PostgresStore
import Synchronization

/// The help of every `--state`.
let stateHelp: ArgumentHelp = """
    A state folder, or a PostgreSQL URL postgres://USER@HOST[:PORT]/DB[?sslmode=disable|require|verify-full] shared by \
    runners on any machine (password from PGPASSWORD or ~/.pgpass; one in the URL shows in ps). Default: $SALVO_STATE, else $XDG_STATE_HOME/salvo or ~/.local/state/salvo.
    """

/// Where state lives for a command: `--state`, else `SALVO_STATE`, else the default folder
/// (`StateResolver`, the one place that chooses a backend). A malformed URL is a usage error (64);
/// its password is never shown. A password written in a `--state` URL, and a password file that
/// was ignored, are warned about once per process.
func stateLocation(_ given: String?) throws -> any StateBackend {
    let resolved: StateResolver.Resolved
    do throws(RunStoreError) {
        resolved = try StateResolver.resolve(given)
    } catch {
        throw CommandFailure(.usage, error.message, cause: error)
    }
    StateWarnings.shared.show(resolved.warnings)
    return resolved.backend
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
