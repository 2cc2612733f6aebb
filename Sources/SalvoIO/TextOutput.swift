/// Where text goes: a standard stream, a file being written, a buffer in a test. Reporters write
/// to one; the command line chooses which.
public protocol TextOutput {
    /// Writes `text` as is (no line break is added). A failure is remembered, not thrown: a
    /// reporter goes on, and `finish` says what failed.
    func write(_ text: String)

    /// Writes what is buffered and completes the output (a file is moved to its name).
    func finish() throws(FileWriteError)

    /// Gives the output up: a file being written is removed, its name left as it was.
    func discard()
}

extension TextOutput {
    /// Nothing to complete.
    public func finish() throws(FileWriteError) {}

    /// Nothing to give up.
    public func discard() {}
}
