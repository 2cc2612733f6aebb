public import CampaignCompiler
public import YAMLSyntax

/// A campaign as a preflight takes it: the decoded file (its path and every node's range, where
/// findings are reported) and, for rendering them, the lines of the file. `run` passes the
/// campaign it loaded; `salvo preflight` passes what `CampaignChecker` read.
public struct LoadedCampaign: Sendable {
    /// The campaign, decoded and checked without errors.
    public var campaign: Campaign
    /// The lines of the files its findings point into, by path (may be empty).
    public var sources: [String: SourceText]

    /// A loaded campaign.
    public init(_ campaign: Campaign, sources: [String: SourceText] = [:]) {
        self.campaign = campaign
        self.sources = sources
    }

    /// The campaign file's path, as the findings name it.
    public var path: String { campaign.path }
}
