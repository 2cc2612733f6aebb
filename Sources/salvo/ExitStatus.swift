import CampaignRunner

/// The one place where how a run ended becomes the process's exit status (the contract: 0 every
/// recipient has an outcome, 1 stopped on an error or refused, 75 not finished: run again later).
extension RunOutcome {
    var exitStatus: Int32 {
        switch self {
        case .done: 0
        case .later: 75
        case .stopped: 1
        }
    }
}
