/// The receipts of a run kept in memory, each once (by BizId and phone): what the in-memory
/// stores, plain and shared, keep under their locks.
struct MemoryReceipts {
    private var kept: [Receipt] = []
    private var keys: Set<String> = []

    /// Keeps `batch`'s receipts for `run`, refusing all of them when one names a batch the run
    /// does not have.
    mutating func store(_ batch: ReceiptBatch, for run: StoredRun?) throws(RunStoreError) -> ReceiptsStored {
        guard let run else { throw RunStoreError(.io, "the store holds no run to keep receipts for") }
        for receipt in batch.receipts where !run.batches.indices.contains(receipt.batch - 1) {
            throw RunStoreError(.damaged, "the run has no batch \(receipt.batch)")
        }
        var result = ReceiptsStored(stored: 0, duplicates: 0)
        for receipt in batch.receipts {
            if keys.insert(receipt.bizId + "\u{1}" + receipt.phone).inserted {
                kept.append(receipt)
                result.stored += 1
            } else {
                result.duplicates += 1
            }
        }
        return result
    }

    /// The receipts `query` asks for, in the order they were kept.
    func matching(_ query: ReceiptQuery) -> [Receipt] {
        kept.filter { query.batch == nil || $0.batch == query.batch }
    }
}
