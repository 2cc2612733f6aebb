import NIOCore
import NIOPosix

extension HTTPClientTransport {
    /// Runs the process's tasks on the HTTP client's event loops instead of a second thread pool
    /// (Linux; call before any task starts): each answer then resumes its task without a thread
    /// hop, about a fifth less CPU per message. The price: a run's blocking work (SQLite commits,
    /// about 20 µs each without an fsync; the intents' fsync before a group starts; an occasional
    /// WAL checkpoint) briefly holds up the connections on that loop. On Darwin NIO requires the
    /// main thread for this, which an async command is not on; there the default executor stays.
    /// Returns whether the executor was installed.
    @discardableResult
    public static func runTasksOnEventLoops() -> Bool {
        #if os(Linux)
        return NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        #else
        return false
        #endif
    }
}
