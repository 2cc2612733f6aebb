extension StatusReader.NotSentSummary {
    /// What a not-sent list leaves out, in words: the recipients that may yet get the message;
    /// nil when there are none.
    public var note: String? {
        guard stillOpen > 0 else { return nil }
        return "note: \(stillOpen) recipient\(stillOpen == 1 ? " is" : "s are") still pending, deferred or uncertain and not listed; they may yet get the message"
    }
}
