#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

/// SIGINT and SIGTERM for a server (`receipts serve`, `emulator`): the first asks it to stop
/// (`first()` returns), a second one ends the process at once (exit 1).
final class StopSignals: Sendable {
    private let sources: Mutex<[any DispatchSourceSignal]>
    private let stream: AsyncStream<Int32>

    init() {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        self.stream = stream
        var made: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [count = SignalCount.shared] in
                if count.value.add(1, ordering: .relaxed).newValue == 1 {
                    continuation.yield(number)
                } else {
                    Terminal.standardError("salvo: stopping now")
                    _exit(1)
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

/// Signals received by this process.
private final class SignalCount: Sendable {
    static let shared = SignalCount()
    let value = Atomic<Int>(0)
}
