import NIOCore
import Synchronization

/// The connections a listener serves, counted against its capacity.
final class ConnectionRegistry: Sendable {
    private struct State {
        var open: [ObjectIdentifier: any Channel] = [:]
        var closing = false
    }

    private let state = Mutex(State())
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    var count: Int { state.withLock { $0.open.count } }

    /// Takes a new connection in, unless the listener is full or stopping.
    func admit(_ channel: any Channel) -> Bool {
        state.withLock { state in
            guard !state.closing, state.open.count < capacity else { return false }
            state.open[ObjectIdentifier(channel)] = channel
            return true
        }
    }

    func remove(_ channel: any Channel) {
        _ = state.withLock { $0.open.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Takes no new connection from now on; the ones open.
    func startClosing() -> [any Channel] {
        state.withLock { state in
            state.closing = true
            return Array(state.open.values)
        }
    }
}
