import CampaignCompiler

extension InMemorySharedRunStore.Held {
    /// One claim, as the PostgreSQL store makes it in one statement: claims up to `limit` waiting
    /// batches for `runner`, takes over the unsettled batches of runners whose lease ran out,
    /// books the claimed messages' slots on the shared pace (moved by the runner's rate: down at
    /// once, up once it has held two seconds), and returns the other batches changed since
    /// `since`. `now` is the store's clock; slots come back in the runner's.
    mutating func claim(_ request: ClaimRequest, runner me: String, at now: Double) -> Claim {
        guard var run else { return Claim(taken: [], adopted: [], changed: [], version: request.since, complete: request.since == 0, pace: SharedPace(rate: request.rate), otherRunners: 0) }
        let live = Set(runners.filter { !$0.value.left && $0.value.leaseUntil >= now }.map(\.key))
        let before = changed
        let picked = run.batches.filter { ($0.state == .pending || $0.state == .deferred) && ($0.notBefore ?? 0) <= request.now }.prefix(max(request.limit, 0)).map(\.batch)
        let orphans = run.batches.filter { $0.state.isUnsettled && $0.owner != me && ($0.owner.map { !live.contains($0) } ?? true) }.prefix(200).map(\.batch)
        var version = request.since
        func touch(_ number: Int) {
            counter += 1
            changed[number - 1] = counter
            version = max(version, counter)
        }
        var taken: [BatchRecord] = []
        for number in picked {
            run.batches[number - 1].state = .sending
            run.batches[number - 1].attempts += 1
            run.batches[number - 1].attemptAt = request.now
            run.batches[number - 1].owner = me
            touch(number)
            taken.append(run.batches[number - 1])
        }
        var adopted: [BatchRecord] = []
        for number in orphans {
            run.batches[number - 1].owner = me
            touch(number)
            adopted.append(run.batches[number - 1])
        }
        let skip = Set(picked + orphans)
        let others = run.batches.filter { before[$0.batch - 1] > request.since && !skip.contains($0.batch) }
        for batch in others { version = max(version, before[batch.batch - 1]) }
        self.run = run
        let recipients = Double(taken.reduce(0) { $0 + $1.recipients })
        let slot = book(request, recipients: recipients, at: now)
        let offset = request.now - now
        var booked = 0
        let slots = taken.map { record -> (record: BatchRecord, plan: PlanBatch, slot: Double) in
            defer { booked += record.recipients }
            return (record, plan[record.batch - 1], slot + offset + Double(booked) / (pace.rate ?? 1))
        }
        let rate = pace.rate ?? request.rate
        let paused = pace.pausedUntil.flatMap { $0 + offset > request.now ? $0 + offset : nil }
        let reason = rate < request.rate ? (pace.reason ?? FlowControl.Reason.providerThrottling.rawValue) : pace.reason
        return Claim(taken: slots, adopted: adopted, changed: others, version: version, complete: request.since == 0,
                     pace: SharedPace(rate: rate, reason: reason, pausedUntil: paused), otherRunners: live.subtracting([me]).count)
    }

    /// Moves the shared pace by the runner's rate and books `recipients` on it; the first slot.
    private mutating func book(_ request: ClaimRequest, recipients: Double, at now: Double) -> Double {
        let asked = request.rate.isFinite ? max(request.rate, 0.001) : 1_000_000
        let old = pace
        let rate = old.rate.map { asked < $0 || old.changedAt < now - 2 ? asked : $0 } ?? asked
        if rate != (old.rate ?? -1) {
            pace.reason = request.reason
            pace.changedAt = now
        }
        pace.rate = rate
        let pausedFor = request.pausedUntil.map { max($0 - request.now, 0) } ?? 0
        if pausedFor > 0 { pace.pausedUntil = max(old.pausedUntil ?? 0, now + pausedFor) }
        pace.next = max(old.next, now, old.pausedUntil ?? 0, pausedFor > 0 ? now + pausedFor : 0) + recipients / rate
        return max(pace.next - recipients / rate, 0)
    }
}
