/// "Did you mean …?": the closest of a set of names to what was written.
enum Suggestion {
    /// The candidate closest to `word`, if it is close enough to be a likely typo.
    static func closest(to word: String, among candidates: [String]) -> String? {
        // A typo is short and close in length; anything else is not worth the quadratic search.
        guard word.utf8.count <= 80 else { return nil }
        let folded = fold(word)
        if let exact = candidates.first(where: { fold($0) == folded }) { return exact }
        var best: (name: String, distance: Int)?
        for candidate in candidates where abs(candidate.count - folded.count) <= 3 {
            let distance = editDistance(folded, fold(candidate))
            if distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
        }
        guard let best else { return nil }
        let allowed = max(1, min(3, max(word.count, best.name.count) / 3))
        return best.distance <= allowed ? best.name : nil
    }

    /// Case, '_' and ' ' folded to one form, so `Sign_Name` matches `sign-name`.
    private static func fold(_ text: String) -> [Character] {
        Array(text.lowercased().map { $0 == "_" || $0 == " " ? "-" : $0 })
    }

    /// Levenshtein distance with adjacent transpositions counted as one edit.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
