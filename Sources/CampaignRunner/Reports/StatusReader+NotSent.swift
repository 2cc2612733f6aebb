import CampaignCompiler

extension StatusReader {
    /// What `report --not-sent` found besides its rows: recipients whose outcome is still open.
    public struct NotSentSummary: Sendable {
        /// Rows listed.
        public var listed = 0
        /// Recipients of the plan still pending, deferred or uncertain (not listed: they may yet
        /// get the message).
        public var stillOpen = 0
    }

    /// The columns of `notSent`'s rows.
    public var notSentColumns: [String] {
        ["phone"] + campaign.parameters.map(\.name.value) + ["reason", "code", "source", "line", "batch", "out_id"]
    }

    /// Everyone who did not get the message, with the reason: rows left out of the plan (invalid
    /// with `invalid: skip`, duplicate, excluded), read again from the recipient files, then the
    /// plan's recipients whose sending failed or expired. A left-out row whose number is in the
    /// plan (an invalid row before a valid one, a duplicate) is that recipient's, who is listed
    /// by the plan's outcome alone. The recipient files must be the ones the plan was made from.
    public func notSent(_ row: ([String]) -> Void) async throws -> NotSentSummary {
        guard let stored = try await store.planHeader() else {
            throw RunStoreError(.io, "campaign '\(campaign.id.value)' has not been run (no plan in \(folder))")
        }
        let current = try PlanCompiler.header(for: campaign)
        guard current.planId == stored.planId else {
            throw RunStoreError(.io, "the campaign's inputs changed since plan \(stored.planId) was made, so the rows it left out cannot be listed; restore the files it was made from")
        }
        let parameters = campaign.parameters.map(\.name.value)
        var summary = NotSentSummary()
        var planned = Set<UInt64>()
        try await store.readPlan { batch in
            for recipient in batch.recipients {
                if let phone = recipient.first.flatMap(PhoneNumber.fromProvider) { planned.insert(phone.key) }
            }
        }
        let checker = RecipientChecker(campaign: campaign, diagnosticLimit: 0)
        _ = await checker.check(accept: { (_: AcceptedRecipient) throws(Never) in }, setAside: { aside in
            if let phone = PhoneNumber.fromProvider(aside.phone), planned.contains(phone.key) { return }
            row([aside.phone] + aside.values + [aside.reason.rawValue, aside.problem ?? "", aside.file, String(aside.line), "", ""])
            summary.listed += 1
        })
        _ = try await report(.notSent) { planned in
            // planned: phone, values…, outcome, code, batch, out_id, biz_id
            let outcome = planned[parameters.count + 1]
            guard outcome == "failed" || outcome == "expired" else {
                summary.stillOpen += 1
                return
            }
            let values = Array(planned[1..<(parameters.count + 1)])
            row([planned[0]] + values + [outcome, planned[parameters.count + 2], "", "", planned[parameters.count + 3], planned[parameters.count + 4]])
            summary.listed += 1
        }
        return summary
    }
}
