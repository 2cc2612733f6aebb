import AliyunSMS
import CampaignCompiler
import Foundation

/// How a run behaves: the campaign's schedule and sending settings, and the options.
public struct RunPolicy: Sendable {
    /// When the campaign may send.
    public var calendar: ScheduleCalendar
    /// The campaign's zone, for messages.
    public var timeZone: TimeZone
    /// The configured rate, in messages per second.
    public var rate: Double
    /// The most requests in flight.
    public var concurrency: Int
    /// How long "no record" must last after an unanswered attempt before it counts as not sent.
    public var graceSeconds: Double
    /// The most attempts of a batch refused for a retryable reason.
    public var maxAttempts: Int
    /// The delays between those attempts.
    public var backoff: Backoff
    /// Sleep through closed windows and long deferrals instead of ending the run.
    public var wait: Bool
    /// How long a request may take before the client gives up on it (the provider may act on it
    /// until then): the grace before an unanswered request from a run that died counts from its
    /// departure plus this, or from the resume, whichever is sooner.
    public var requestTimeout = 30.0

    /// A policy.
    public init(calendar: ScheduleCalendar, timeZone: TimeZone, rate: Double, concurrency: Int, graceSeconds: Double, maxAttempts: Int, backoff: Backoff, wait: Bool) {
        self.calendar = calendar
        self.timeZone = timeZone
        self.rate = rate
        self.concurrency = max(concurrency, 1)
        self.graceSeconds = graceSeconds
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.wait = wait
    }

    /// A time in the campaign's zone, as messages write it.
    public func describe(_ time: Double) -> String {
        PlanSummary.clock(Date(timeIntervalSince1970: time), timeZone) + " " + timeZone.identifier
    }
}
