import YAMLSyntax

/// One scanned chunk, as a worker hands it back to the merge.
struct ScannedPiece: Sendable {
    var index: Int
    var chunk: ScannedChunk
    var crFinal: Bool
    var failure: ByteReader.Failure?
    var error: RecipientSourceError?
}
