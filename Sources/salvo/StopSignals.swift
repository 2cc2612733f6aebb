#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

/// SIGINT and SIGTERM for a command: the first asks it to stop (`onFirst` runs and `first()`
/// returns), a second one ends the process at once with `secondStatus`. `run` cancels its task on
/// the first (exit 75 on a second: what is then in flight is settled by the next run);
/// `receipts serve` and `emulator` drain on the first (exit 1 on a second).
final class StopSignals: Sendable {
    private final class Count: Sendable {
        let value = Atomic<Int>(0)
    }

    private let sources: Mutex<[any DispatchSourceSignal]>
    private let stream: AsyncStream<Int32>

    init(secondWords: String = "stopping now", secondStatus: Int32 = 1, onFirst: @escaping @Sendable (Int32) -> Void = { _ in }) {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        self.stream = stream
        let count = Count()
        var made: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if count.value.add(1, ordering: .relaxed).newValue == 1 {
                    onFirst(number)
                    continuation.yield(number)
                } else {
                    Terminal.standardError("salvo: \(secondWords)")
                    _exit(secondStatus)
                }
            }
            source.resume()
            made.append(source)
        }
        sources = Mutex(made)
    }

    deinit {
        sources.withLock { $0.forEach { $0.cancel() } }
    }

    /// Waits for the first SIGINT or SIGTERM.
    func first() async -> Int32 {
        for await number in stream { return number }
        return SIGTERM
    }

    /// A signal's name.
    static func name(_ number: Int32) -> String {
        number == SIGINT ? "SIGINT" : "SIGTERM"
    }
}
