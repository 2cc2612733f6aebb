import Synchronization

/// The waits already shown: a run that asks the provider about unanswered requests every second
/// waits again and again; a line is shown when the reason changes or the time moves by a minute,
/// not each time.
final class RepeatedWaits: Sendable {
    private let last = Mutex<(reason: String, until: Double)?>(nil)

    /// Whether a wait until `until` for `reason` repeats the last one shown (else it becomes it).
    func repeats(until: Double, reason: String) -> Bool {
        last.withLock { last -> Bool in
            if let last, last.reason == reason, abs(last.until - until) < 60 { return true }
            last = (reason, until)
            return false
        }
    }
}
