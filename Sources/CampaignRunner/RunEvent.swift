import AliyunSMS
import CampaignCompiler
import Foundation

/// What happened, for the command line to show (progress bar or log lines) without the library
/// printing anything.
public enum RunEvent: Sendable {
    case planned(batches: Int, recipients: Int, planId: String, resumed: Bool)
    case reconciled(batch: Int, found: Bool)
    case sent(batch: Int, action: String, recipients: Int)
    case refused(batch: Int, code: String, errorClass: ErrorClass, message: String)
    /// The run sleeps until `until` (seconds since 1970); `local` is that time in the campaign's
    /// time zone, as the run's other messages write it.
    case waiting(until: Double, local: String, reason: WaitReason)
    /// Where the run sends.
    case sendingTo(endpoint: String)
    /// Something the user should know (permissions tightened, a plan replaced).
    case notice(String)
    case dryRun(SignedRequest)
    case progress(RunCounts, pace: Pace)
    /// The account was asked about the campaign's sign and template before the first send:
    /// `summary` is the preflight's one line, `findings` its diagnostics (rendered as
    /// `salvo preflight`'s text; empty when the account agrees).
    case preflighted(summary: String, findings: ValidationReport)
    /// The campaign's recipients or limits have errors: the plan could not be made.
    case problems(ValidationReport)
}
