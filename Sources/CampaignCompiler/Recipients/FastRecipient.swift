import Foundation
import YAMLSyntax

/// A recipient accepted by the fast reader: what a plan needs, without a string per value.
struct FastRecipient {
    /// The number's key (a mainland number, or an international one's value).
    var phone: UInt64
    /// Its calling code (86 for a mainland number), found once for the counts and the plan.
    var callingCode: Int
    var length: Int
    var segments: Int
    var sourceIndex: Int
    var line: Int
    /// The value set's key (`FrequentSets.key`), when the checker renders plan rows with columns.
    var key: UInt64
    /// The plan row `["phone","source",values…]` (or `["phone","source"]` when grouped), valid
    /// only during the call.
    var fragment: UnsafeBufferPointer<UInt8>
    /// The key of a row a few ahead (0 if none), for the counter to load its slot early.
    var aheadKey: UInt64
}

/// Takes each recipient the fast reader accepted, and a way to make its full `AcceptedRecipient`.
typealias FastSink<Failure: Error> = (FastRecipient, FullRecipient) throws(Failure) -> Void
