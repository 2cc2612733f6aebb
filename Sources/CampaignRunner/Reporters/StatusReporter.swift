import SalvoIO

/// Writes where a campaign stands (`salvo status`): as text for people (`TextStatusReporter`) or
/// the contract's JSON object (`JSONStatusReporter`). The command line chooses one.
public protocol StatusReporter {
    /// Writes `status`.
    func status(_ status: CampaignStatus)
    /// Writes that the state of `campaign` could not be read (the message itself goes to standard
    /// error, by the command line).
    func failure(campaign: String, message: String)
}
