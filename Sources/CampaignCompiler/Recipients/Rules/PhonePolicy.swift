/// Which phone numbers a campaign sends to: the verdict on a row's phone field, for the full
/// check and, in a shape that needs no allocation, for the fast reader. A new kind of campaign
/// (international numbers) adds a policy; the row rules ask theirs and nothing else.
protocol PhonePolicy: Sendable {
    /// The verdict on a row's phone field as the full check reads it.
    func judge(_ text: String) -> PhoneVerdict

    /// The key of the number in `bytes` when the policy accepts it, or nil when the full check
    /// must judge it (the fast reader's test; it may decline numbers `judge` accepts, never accept
    /// one it refuses).
    func acceptedKey(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64?

    /// The number of a key that `acceptedKey` gave.
    func number(key: UInt64) -> PhoneNumber
}
