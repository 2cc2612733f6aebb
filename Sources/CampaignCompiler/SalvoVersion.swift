/// The version of this build of Salvo.
public enum SalvoVersion {
    /// The version string, as `salvo --version` prints it.
    public static let current = "0.1.0"
}
