extension FaultPlan {
    /// What is wrong with the rates, in words; nil when nothing is: each is a share (0 to 1), and
    /// together they are at most all requests.
    public var problem: String? {
        for rate in [throttleRate, unavailableRate, ambiguousRate] where !(0...1).contains(rate) {
            return "fault rates are between 0 and 1"
        }
        guard throttleRate + unavailableRate + ambiguousRate <= 1 else { return "fault rates add up to more than 1" }
        return nil
    }
}
