/// Where the fast reader's pieces come from: a file cut at line breaks, or a query's rows.
protocol PieceFeed: AnyObject {
    /// The next piece, or nil after the last.
    func next() -> ChunkFeed.Piece?
}
