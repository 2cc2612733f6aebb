import Foundation

/// What `salvo state reset` did.
public enum ResetOutcome: Sendable, Equatable {
    /// The run was put aside, kept at this place.
    case setAside(String)
    /// There was no run to put aside.
    case nothing(String)
    /// Refused: recipients whose requests may have been sent are not settled yet, or another run
    /// holds the campaign.
    case refused(String)
}

extension CampaignRunner {
    /// Puts the campaign's run aside (kept, never deleted), so that the next run plans and sends
    /// afresh. Refused while another run holds the campaign or while any request's answer is
    /// unknown: settle those first by running again. A lost or damaged state can be put aside
    /// (the next run asks the provider whether its plan was sent before it sends).
    public func reset() async -> ResetOutcome {
        do {
            // A folder that cannot be read is an error, never "no state".
            switch try await backend.lock(LockRequest(campaign: campaign.id.value, create: false)) {
            case .taken(let lock): return await reset(holding: lock)
            case .busy(let pid): return .refused(LaterReason.held(pid: pid, campaign: campaign.id.value).description)
            case .absent: return .nothing("no state for campaign '\(campaign.id.value)' in \(options.stateFolder)")
            }
        } catch {
            return .refused(error.description)
        }
    }

    private func reset(holding lock: CampaignLock?) async -> ResetOutcome {
        defer { withExtendedLifetime(lock) {} }
        do {
            guard let run = try await store.load() else { return .nothing("campaign '\(campaign.id.value)' has no run in \(store.location)") }
            if let shared = store as? any SharedRunStore {
                let live = try await shared.runners().filter(\.live)
                if !live.isEmpty {
                    return .refused("\(live.count) runner\(live.count == 1 ? " is" : "s are") sending campaign '\(campaign.id.value)' (\(live.map { "\($0.host) pid \($0.pid)" }.joined(separator: ", "))); stop \(live.count == 1 ? "it" : "them") first")
                }
            }
            let unsettled = run.batches.filter(\.state.isUnsettled).reduce(0) { $0 + $1.recipients }
            if unsettled > 0 {
                return .refused("\(unsettled) recipient\(unsettled == 1 ? "'s" : "s'") requests may have reached the provider and are not settled yet; run 'salvo run \(campaign.path)' to settle them (it asks the provider), then reset")
            }
        } catch where error.code == .lost || error.code == .damaged {
            // Nothing can be settled from it: put it aside as it is.
        } catch {
            return .refused(error.description)
        }
        do {
            return .setAside(try await store.setAside(SetAsideRequest(at: options.clock.now.seconds)))
        } catch {
            return .refused(error.description)
        }
    }
}
