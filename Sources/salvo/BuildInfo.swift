import CampaignCompiler

/// Where this binary was built from. `scripts/release` writes the commit here for its build and
/// puts the file back afterwards; other builds say they were built from source.
enum BuildInfo {
    /// The git commit of a release build (nil otherwise).
    static let commit: String? = nil

    /// What `salvo --version` prints: `0.1.0 (commit 1a2b3c4d5e6f)`.
    static var version: String {
        SalvoVersion.current + (commit.map { " (commit \($0))" } ?? " (built from source)")
    }
}
