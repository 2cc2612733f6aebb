import CampaignCompiler

extension NewRun {
    /// The run's plan file read whole, for a store that keeps the plan in memory: its requests
    /// (as many as the run has batches), header and trailer.
    func readWholePlan() throws(RunStoreError) -> (batches: [PlanBatch], header: PlanHeader?, trailer: PlanTrailer?) {
        var plan: [PlanBatch] = []
        do {
            _ = try PlanReader.batches(at: planFile) { plan.append($0) }
        } catch {
            throw RunStoreError(.damaged, "the plan '\(planFile)' cannot be read: \(error)", cause: error)
        }
        guard plan.count == batches.count else {
            throw RunStoreError(.damaged, "the plan has \(plan.count) requests and the run \(batches.count)")
        }
        return (plan, PlanReader.header(at: planFile), PlanReader.trailer(at: planFile))
    }
}
