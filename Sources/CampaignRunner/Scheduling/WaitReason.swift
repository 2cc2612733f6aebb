import AliyunSMS
import CampaignCompiler
import Foundation

/// Why a run waits.
public enum WaitReason: Sendable, Equatable, CustomStringConvertible {
    case beforeStart
    case outsideWindows
    case deferred
    /// Unanswered requests: their grace period before asking the provider.
    case unanswered
    /// The pace (the configured rate, or what the provider lets through).
    case pace
    /// Requests in flight.
    case answers
    /// A stop was asked for; requests in flight finish first.
    case finishing
    /// Shared state: other runners hold what is left; claim again shortly.
    case othersSending

    public var description: String {
        switch self {
        case .beforeStart: "before the campaign's start"
        case .outsideWindows: "outside the send windows"
        case .deferred: "deferred recipients"
        case .unanswered: "unanswered requests; asking the provider again"
        case .pace: "pacing"
        case .answers: "answers"
        case .finishing: "finishing requests in flight"
        case .othersSending: "other runners hold what is left"
        }
    }
}
