import CampaignRunner

extension RunOutcome {
    /// How a run ended as an exit status: none (0) when every recipient has an outcome, 75 not
    /// finished, 1 stopped on an error or refused (saying why).
    var failure: CommandFailure? {
        switch self {
        case .done: nil
        case .later: CommandFailure(.later, nil)
        case .stopped(let reason): CommandFailure(.failed, "\(reason)")
        }
    }

    /// The words after a run: `done`, why it is not finished; nil when it stopped (the error says).
    var words: String? {
        switch self {
        case .done: "done"
        case .later(let reason): reason.description
        case .stopped: nil
        }
    }
}
