extension RunLifecycle {
    /// The activity to save with a change at `now` while sending at `pace` (`explicit` when the
    /// runner starts something new), or nil when it has not moved enough to tell `status`.
    public mutating func activity(_ explicit: RunActivity? = nil, pace: Pace, now: Double) -> RunActivity? {
        var next = explicit ?? lastActivity ?? RunActivity(kind: .sending, at: now)
        if next.kind == .sending {
            next.pace = pace.rate
            next.ceiling = pace.ceiling
            next.reason = pace.reason == .configured ? nil : pace.reason.rawValue
        }
        let moved = lastActivity.map { old in
            old.kind != next.kind || old.reason != next.reason || abs((old.pace ?? 0) - (next.pace ?? 0)) > 0.05 * max(old.pace ?? 1, 1) && now - old.at >= 1
        } ?? true
        guard moved else { return nil }
        next.at = now
        lastActivity = next
        return next
    }

    /// The activity to save for a wait until `until` at `now`, or nil when it is the one saved.
    public mutating func waiting(until: Double, reason: WaitReason, now: Double) -> RunActivity? {
        let activity = RunActivity(kind: .waiting, reason: reason.description, until: until, at: now)
        guard activity.kind != lastActivity?.kind || activity.reason != lastActivity?.reason || activity.until != lastActivity?.until else { return nil }
        lastActivity = activity
        return activity
    }

    /// Whether to report progress at `now`: at most four times a second, unless `force`.
    public mutating func progressDue(now: Double, force: Bool) -> Bool {
        guard force || now - lastProgress >= 0.25 else { return false }
        lastProgress = now
        return true
    }

    /// The run ended with `outcome`: the metadata to leave behind (how it ended, why it stopped,
    /// no activity).
    public mutating func finished(_ outcome: RunOutcome, metadata: RunMetadata) -> RunMetadata {
        phase = .finishing
        var metadata = metadata
        metadata.lastEnd = outcome.end
        if case .stopped(let reason) = outcome { metadata.stopReason = reason.description } else { metadata.stopReason = nil }
        metadata.activity = nil
        return metadata
    }
}
