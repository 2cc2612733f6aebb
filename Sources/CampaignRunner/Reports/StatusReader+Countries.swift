import CampaignCompiler

extension StatusReader {
    /// The column a report row ends with: the recipient's calling code (`86`, `852`).
    public static let countryColumn = "country"

    /// Whether the campaign sends to numbers outside the mainland (its plan's numbers are
    /// country code and number).
    var isInternational: Bool { campaign.template.destination.value == .international }

    /// The calling code of a number as the plan writes it: 86 in a mainland campaign, the
    /// number's own in an international one (0 when unknown).
    func callingCode(ofPlanned phone: some StringProtocol) -> Int {
        isInternational ? CallingCodes.callingCode(ofDigits: phone) ?? 0 : 86
    }

    /// Each country's figures, by calling code: a mainland campaign's from its batches alone (one
    /// country, 86), an international one's from the per-country tallies of its plan's requests,
    /// read once; failed are those of requests the provider refused and those whose receipts say
    /// so; delivered from `receipts`.
    func countries(_ run: StoredRun, counts: RunCounts, receipts: [Receipt]) async throws(RunStoreError) -> [Int: CountryFigures] {
        var figures: [Int: CountryFigures] = [:]
        let accepted = Set(run.batches.filter { $0.state == .accepted }.map(\.batch))
        let refused = Set(run.batches.filter { $0.state == .failed }.map(\.batch))
        if isInternational {
            try await store.readPlan { batch in
                let sent = accepted.contains(batch.batch)
                for (code, tally) in batch.countries ?? ["86": [batch.recipients.count, batch.segments]] {
                    guard let callingCode = Int(code), tally.count == 2 else { continue }
                    figures[callingCode, default: CountryFigures()].recipients += tally[0]
                    if refused.contains(batch.batch) { figures[callingCode, default: CountryFigures()].failed += tally[0] }
                    if sent {
                        figures[callingCode, default: CountryFigures()].sent += tally[0]
                        figures[callingCode, default: CountryFigures()].segments += tally[1]
                    }
                }
            }
        } else {
            var mainland = CountryFigures()
            mainland.recipients = counts.total
            mainland.sent = counts.sent
            mainland.failed = counts.failed
            mainland.segments = run.batches.filter { accepted.contains($0.batch) }.reduce(0) { $0 + $1.segments }
            figures[86] = mainland
        }
        for receipt in Receipt.counting(receipts).values.flatMap(\.values) {
            let code = callingCode(ofPlanned: receipt.phone)
            figures[code, default: CountryFigures()].billedSegments += receipt.segments
            if receipt.success {
                figures[code, default: CountryFigures()].delivered += 1
            } else {
                figures[code, default: CountryFigures()].failed += 1
            }
        }
        let prices = campaign.sending.prices
        return figures.reduce(into: [:]) { priced, entry in
            var country = entry.value
            country.cost = Double(country.segments) * prices.price(callingCode: entry.key)
            country.billedCost = Double(country.billedSegments) * prices.price(callingCode: entry.key)
            priced[entry.key] = country
        }
    }
}
