extension StateBackend {
    /// The state as one run of `campaign` uses it. Where runners share a database, the
    /// campaign's store is opened once (its claims outliving this runner's heartbeat by
    /// `leaseSeconds`) and handed to the run and to the reads before and after it, so that they
    /// share one connection; a folder as it is (the runner takes the campaign's lock there).
    public func forRun(campaign: String, leaseSeconds: Double) -> any StateBackend {
        guard folder == nil else { return self }
        return SingleStoreBackend(store: store(StoreRequest(campaign: campaign, leaseSeconds: leaseSeconds)), localFolder: localFolder)
    }
}
