extension CampaignRunner {
    /// Round trips the run's store has made to its database (for benchmarks; 0 for a folder's).
    public var storeRoundTrips: Int { store.roundTrips }

    /// Releases the run's store's connections (a database's); the runner is not used after.
    public func close() async {
        await store.close()
    }
}
