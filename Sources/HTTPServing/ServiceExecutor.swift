import Dispatch

/// Where the answers of `HTTPService.respond` run: threads of Dispatch's own, not Swift's shared
/// cooperative pool (as many threads as cores). A process whose shared pool is busy or blocked (a
/// test process running every suite at once; a command waiting on a child) would otherwise leave
/// requests unanswered: a long poll that has nothing to wait for but a timer still needs a thread
/// to write its answer.
final class ServiceExecutor: TaskExecutor, Sendable {
    private let queue = DispatchQueue(label: "salvo.http-service", attributes: .concurrent)

    /// The one executor every listener's services run on.
    static let shared = ServiceExecutor()

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
