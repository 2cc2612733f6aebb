/// A frequency cap: at most `max` sends in `window` to one number, counting the sends the rule
/// applies to, grouped by `partition` (per number; per number and sign; per number, sign and
/// template). Built-in rules stand for the provider's own limits; a policy file adds more.
public struct FrequencyRule: Sendable, Hashable {
    /// How earlier sends are grouped with a new one.
    public enum Partition: Sendable, Hashable {
        /// Every send to the number counts.
        case number
        /// Sends to the number with the same sign.
        case numberAndSign
        /// Sends to the number with the same sign and template.
        case numberSignAndTemplate
    }

    /// Which sends a rule applies to: nil sets apply to all.
    public struct Scope: Sendable, Hashable {
        public var types: Set<TemplateType>?
        public var signNames: Set<String>?
        public var campaigns: Set<String>?

        /// A scope of these types, signs and campaigns (nil: any).
        public init(types: Set<TemplateType>? = nil, signNames: Set<String>? = nil, campaigns: Set<String>? = nil) {
            self.types = types
            self.signNames = signNames
            self.campaigns = campaigns
        }

        /// Whether a send of `scope` is one the rule applies to.
        public func contains(_ scope: SendScope) -> Bool {
            (types?.contains(scope.type) ?? true) && (signNames?.contains(scope.signName) ?? true) && (campaigns?.contains(scope.campaign) ?? true)
        }
    }

    public var name: String
    public var appliesTo: Scope
    public var max: Int
    public var window: RuleWindow
    public var partition: Partition
    /// Whether only mainland numbers are counted (the provider's own limits).
    public var mainlandOnly: Bool

    /// A rule.
    public init(name: String, appliesTo: Scope, max: Int, window: RuleWindow, partition: Partition = .number, mainlandOnly: Bool = false) {
        self.name = name
        self.appliesTo = appliesTo
        self.max = max
        self.window = window
        self.partition = partition
        self.mainlandOnly = mainlandOnly
    }

    /// Whether a new send of `scope` is checked by the rule.
    public func checks(_ scope: SendScope) -> Bool {
        appliesTo.contains(scope)
    }

    /// Whether an earlier send of `earlier` counts against a new send of `new`.
    public func counts(_ earlier: SendScope, for new: SendScope) -> Bool {
        guard appliesTo.contains(earlier) else { return false }
        switch partition {
        case .number: return true
        case .numberAndSign: return earlier.signName == new.signName
        case .numberSignAndTemplate: return earlier.signName == new.signName && earlier.templateCode == new.templateCode
        }
    }
}
