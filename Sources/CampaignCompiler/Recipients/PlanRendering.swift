import Foundation
import YAMLSyntax

/// How the checker writes plan rows for the fast path.
struct PlanRendering: Sendable {
    /// Only phone and source per row: every parameter is a constant.
    var grouped: Bool
}
