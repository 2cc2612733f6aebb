import Synchronization

/// Long polls waiting for a queue to change: each waits on a continuation, resumed when a message
/// is put in its queue, when its own timer ends, or when the emulator stops. No polling loop.
final class QueueWaiters: Sendable {
    private struct Waiter {
        var queue: String
        var continuation: CheckedContinuation<Void, Never>
        var timer: Task<Void, Never>?
    }

    private struct State {
        var waiters: [UInt64: Waiter] = [:]
        /// Changes seen per queue, so that a change between a look at the queue and the wait is
        /// not missed.
        var generations: [String: UInt64] = [:]
        var nextId: UInt64 = 0
        var closed = false
    }

    private let state = Mutex(State())

    /// The queue's generation now: pass it to `wait`.
    func generation(of queue: String) -> UInt64 {
        state.withLock { $0.generations[queue, default: 0] }
    }

    /// How many long polls are waiting now.
    var count: Int { state.withLock { $0.waiters.count } }

    /// Whether `close` was called.
    var isClosed: Bool { state.withLock { $0.closed } }

    /// Waits until `queue` changes after `generation`, `duration` passes, or the waiters close.
    func wait(queue: String, generation: UInt64, for duration: Duration) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let id = state.withLock { state -> UInt64? in
                guard !state.closed, state.generations[queue, default: 0] == generation else { return nil }
                state.nextId += 1
                state.waiters[state.nextId] = Waiter(queue: queue, continuation: continuation)
                return state.nextId
            }
            guard let id else { return continuation.resume() }
            let timer = Task { [weak self] in
                try? await Task.sleep(for: duration)
                self?.resume(id)
            }
            let stillWaiting = state.withLock { state -> Bool in
                guard state.waiters[id] != nil else { return false }
                state.waiters[id]?.timer = timer
                return true
            }
            if !stillWaiting { timer.cancel() }
        }
    }

    /// Wakes the waiters of `queue`.
    func signal(_ queue: String) {
        let woken = state.withLock { state -> [Waiter] in
            state.generations[queue, default: 0] &+= 1
            let ids = state.waiters.filter { $0.value.queue == queue }.map(\.key)
            return ids.compactMap { state.waiters.removeValue(forKey: $0) }
        }
        for waiter in woken {
            waiter.timer?.cancel()
            waiter.continuation.resume()
        }
    }

    /// Wakes every waiter, and makes later waits return at once (the emulator is stopping).
    func close() {
        let woken = state.withLock { state -> [Waiter] in
            state.closed = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in woken {
            waiter.timer?.cancel()
            waiter.continuation.resume()
        }
    }

    private func resume(_ id: UInt64) {
        state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume()
    }
}
