/// One earlier send to a number, as the ledger holds it: its scope, when it left (for a held
/// send, when it was marked) and, once settled, when the answer came (nil while its fate is
/// unknown: it then counts in every window from `at` on).
public struct LedgerSend: Sendable, Hashable {
    public var scope: SendScope
    public var at: Int64
    public var until: Int64?

    /// A send of `scope` at `at`, settled at `until` (nil: held).
    public init(scope: SendScope, at: Int64, until: Int64?) {
        self.scope = scope
        self.at = at
        self.until = until
    }
}

/// Decides whether a new send to one number breaks a rule, from the number's earlier sends:
/// pure, on injected time. A send that may leave at any instant of `[from, to]` is counted in
/// every window it could fall in, so the check is conservative at window boundaries, never
/// permissive.
public struct CapEvaluator: Sendable {
    /// The rules checked, in reporting order.
    public let rules: [FrequencyRule]
    /// The new send's scope.
    public let scope: SendScope
    /// Per rule, the windows the new send falls in.
    let windows: [[RuleWindow.Span]]

    /// The evaluator of sends of `scope` leaving within `[from, to]` under `rules` (those that do
    /// not check sends of `scope` are left out).
    public init(rules: [FrequencyRule], scope: SendScope, from: Int64, to: Int64) {
        let checked = rules.filter { $0.checks(scope) }
        self.rules = checked
        self.scope = scope
        windows = checked.map { $0.window.windows(from: from, to: to) }
    }

    /// The earliest instant any window looks at: earlier sends settled before it never count.
    public var historyStart: Int64 {
        windows.joined().map(\.start).min() ?? .max
    }

    /// The first rule a new send to a number breaks, given that number's earlier sends (any
    /// order; released ones left out), or nil. `mainland` numbers are counted by the provider's
    /// rules too.
    public func decide(history: some Collection<LedgerSend>, mainland: Bool) -> FrequencyRule? {
        for (rule, spans) in zip(rules, windows) where mainland || !rule.mainlandOnly {
            for span in spans {
                var count = 0
                for send in history where send.at < span.end && (send.until ?? .max) >= span.start && rule.counts(send.scope, for: scope) {
                    count += 1
                }
                if count + 1 > rule.max { return rule }
            }
        }
        return nil
    }
}
