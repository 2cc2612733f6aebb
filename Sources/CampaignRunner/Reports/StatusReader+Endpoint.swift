extension StatusReader {
    /// Where a run sends or receipts are asked: `given` (`--endpoint`), else where the run being
    /// resumed sent (the run of plan `planID`, or with `anyRun` the stored run whatever its plan:
    /// a shared store whose recipient files are not here, or receipts of the run that sent), else
    /// the campaign's endpoint. A state that cannot be read counts as no run.
    public func endpoint(given: String?, resuming planID: String? = nil, anyRun: Bool = true) async -> String {
        if let given { return given }
        var recorded: String?
        if let planID {
            recorded = try? await endpoint(resuming: planID)
        } else if anyRun {
            recorded = try? await recordedEndpoint()
        }
        return recorded ?? campaign.provider.endpoint
    }
}
