import AliyunSMS
import CampaignCompiler
import Foundation

/// The preflight before the plan's first send, as `RunLifecycle.preflight` decides: asked of
/// `options.account` (the run's client by default), skipped, or a recent one reused; recorded in
/// the store with the run; its findings shown as a `preflighted` event (the library prints nothing).
extension CampaignRunner {
    /// Preflights `run` before its first send, recording the result in its metadata and the
    /// store; the run's end when it must not send (errors found, the key refused, the provider
    /// not reached), else nil.
    func preflight(_ run: inout StoredRun, lifecycle: RunLifecycle, client: SMSClient) async throws -> RunOutcome? {
        let waiting = run.batches.contains { $0.state.isWaiting }
        switch lifecycle.preflight(run.metadata, waiting: waiting, skipping: options.skipPreflight, now: now) {
        case .none:
            return nil
        case .reuse(let notice):
            events(.notice(notice))
            return nil
        case .skip(let metadata):
            events(.notice("preflight skipped (--no-preflight): the account was not asked about the sign and template"))
            run.metadata = metadata
            try await store.commit(RunChange(metadata: metadata))
            return nil
        case .ask:
            break
        }
        let preflight = Preflight(account: options.account ?? client)
        let campaigns = [LoadedCampaign(campaign, sources: options.campaignSources)]
        var result = await preflight.check(campaigns)
        var retries = 0
        while let delay = lifecycle.preflightRetry(after: result, retries: retries, base: options.retryBase) {
            do {
                try await options.clock.sleep(until: WallTime(seconds: now + delay), tolerance: nil)
            } catch {
                return .later(.interrupted)
            }
            retries += 1
            result = await preflight.check(campaigns)
        }
        let (metadata, outcome) = lifecycle.preflighted(result, metadata: run.metadata, now: now)
        events(.preflighted(summary: result.summary, findings: ValidationReport(fileCount: 1, diagnostics: result.diagnostics, sources: options.campaignSources)))
        run.metadata = metadata
        try await store.commit(RunChange(metadata: metadata))
        return outcome.map { Self.namingTheKey($0, client: client, sent: 0) }
    }
}
