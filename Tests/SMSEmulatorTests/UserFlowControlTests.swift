@testable import AliyunSMS
import Foundation
import Synchronization
import Testing
@testable import SMSEmulator

/// The account's API flow control: a token bucket per budget, on the configuration's clock.
@Suite struct UserFlowControlTests {
    /// A clock that moves only when told to.
    final class ManualClock: Sendable {
        private let time: Mutex<Date>

        init(_ start: Date) {
            time = Mutex(start)
        }

        var now: Date { time.withLock { $0 } }

        func advance(seconds: Double) {
            time.withLock { $0 = $0.addingTimeInterval(seconds) }
        }
    }

    /// A fixed instant; half a second after it is exact in `Date`'s representation.
    static let start = Date(timeIntervalSince1970: 1_750_000_000)

    static func core(limit: Int, retryAfter: Duration? = nil, clock: ManualClock) throws -> EmulatorCore {
        try EmulatorCoreTests.core {
            $0.flowControl = UserFlowControl(requestsPerSecond: limit, retryAfter: retryAfter)
            $0.now = { clock.now }
        }
    }

    /// One recipient per request, so that the record's rows count the accepted requests.
    static func sendSms() throws -> SMSOperation {
        try .sendSms(phoneNumbers: ["13800138000"], signName: "云杉商城", templateCode: "SMS_1", templateParameters: ["name": "张伟"])
    }

    static func sendBatchSms() throws -> SMSOperation {
        try .sendBatchSms(phoneNumbers: ["13900000001"], signNames: ["云杉商城"], templateCode: "SMS_1", templateParameters: [["name": "李娜"]])
    }

    static func isFlowControlRefusal(_ reply: EmulatorReply) -> Bool {
        let response = SMSResponse(json: reply.body)
        return reply.status == 400 && !reply.dropConnection && response?.code == "Throttling.User"
            && response?.message == "Request was denied due to user flow control."
    }

    static func isAccepted(_ reply: EmulatorReply) -> Bool {
        reply.status == 200 && EmulatorCoreTests.code(reply) == "OK"
    }

    @Test func sendsBeyondTheBudgetAreRefusedBeforeProcessing() throws {
        let clock = ManualClock(Self.start)
        let core = try Self.core(limit: 10, clock: clock)
        // SendSms and SendBatchSms draw on the same budget.
        func send(_ index: Int) throws -> EmulatorReply {
            core.handle(try EmulatorCoreTests.request(index.isMultiple(of: 2) ? Self.sendSms() : Self.sendBatchSms(), now: clock.now))
        }
        for index in 0..<10 {
            #expect(Self.isAccepted(try send(index)), "request \(index + 1) is within the budget")
        }
        let eleventh = try send(10)
        #expect(Self.isFlowControlRefusal(eleventh), "\(eleventh.status) \(EmulatorCoreTests.code(eleventh) ?? "")")
        #expect(core.record.messages().count == 10, "the refused request recorded nothing")
        #expect(core.throttledRequests == 1)

        clock.advance(seconds: 0.5)
        for index in 0..<5 {
            #expect(Self.isAccepted(try send(index)), "request \(index + 1) after half a second")
        }
        #expect(Self.isFlowControlRefusal(try send(5)), "half a second refills five tokens, not six")
        #expect(core.record.messages().count == 15)
        #expect(core.throttledRequests == 2)
    }

    @Test func theBucketHoldsOneSecondsWorth() throws {
        let clock = ManualClock(Self.start)
        let core = try Self.core(limit: 3, clock: clock)
        for _ in 0..<3 {
            #expect(Self.isAccepted(core.handle(try EmulatorCoreTests.request(Self.sendSms(), now: clock.now))))
        }
        clock.advance(seconds: 60)
        for _ in 0..<3 {
            #expect(Self.isAccepted(core.handle(try EmulatorCoreTests.request(Self.sendSms(), now: clock.now))))
        }
        #expect(Self.isFlowControlRefusal(core.handle(try EmulatorCoreTests.request(Self.sendSms(), now: clock.now))),
                "a minute idle does not bank more than a second's worth")
    }

    @Test func queriesHaveABudgetOfTheirOwn() throws {
        let clock = ManualClock(Self.start)
        let core = try Self.core(limit: 2, clock: clock)
        for _ in 0..<2 {
            #expect(Self.isAccepted(core.handle(try EmulatorCoreTests.request(Self.sendSms(), now: clock.now))))
        }
        #expect(Self.isFlowControlRefusal(core.handle(try EmulatorCoreTests.request(Self.sendSms(), now: clock.now))))
        let query = try SMSOperation.querySendDetails(phoneNumber: "13800138000", sendDate: EmulatorCore.chinaDate(clock.now))
        for _ in 0..<2 {
            let reply = core.handle(try EmulatorCoreTests.request(query, now: clock.now))
            #expect(Self.isAccepted(reply), "the sends' budget does not refuse queries")
            #expect(QuerySendDetailsResponse(json: reply.body)?.totalCount == 2)
        }
        #expect(Self.isFlowControlRefusal(core.handle(try EmulatorCoreTests.request(query, now: clock.now))), "queries have a budget of the same size")
        #expect(core.throttledRequests == 2)
    }

    @Test func withoutALimitNothingIsRefused() throws {
        let clock = ManualClock(Self.start)
        let core = try Self.core(limit: 0, clock: clock)
        for _ in 0..<30 {
            #expect(Self.isAccepted(core.handle(try EmulatorCoreTests.request(Self.sendSms(), now: clock.now))))
        }
        #expect(core.throttledRequests == 0)
    }

    @Test(arguments: [.milliseconds(1500), nil] as [Duration?])
    func aRefusalAsksToWaitOnlyWhenConfigured(_ retryAfter: Duration?) throws {
        let clock = ManualClock(Self.start)
        let core = try Self.core(limit: 1, retryAfter: retryAfter, clock: clock)
        let accepted = core.handle(try EmulatorCoreTests.request(Self.sendSms(), now: clock.now))
        #expect(Self.isAccepted(accepted))
        #expect(!accepted.headers.contains { $0.0 == "x-acs-retry-after" }, "only refusals carry the header")
        let refused = core.handle(try EmulatorCoreTests.request(Self.sendSms(), now: clock.now))
        #expect(Self.isFlowControlRefusal(refused))
        let header = refused.headers.first { $0.0 == "x-acs-retry-after" }?.1
        #expect(header == (retryAfter == nil ? nil : "1500"))
    }

    @Test func theHeaderIsInWholeMillisecondsRoundedUp() {
        #expect(UserFlowControl(requestsPerSecond: 1, retryAfter: .milliseconds(250)).retryAfterHeader?.1 == "250")
        #expect(UserFlowControl(requestsPerSecond: 1, retryAfter: .microseconds(1500)).retryAfterHeader?.1 == "2")
        #expect(UserFlowControl(requestsPerSecond: 1, retryAfter: .seconds(2)).retryAfterHeader?.1 == "2000")
        #expect(UserFlowControl(requestsPerSecond: 1, retryAfter: .zero).retryAfterHeader == nil)
        #expect(UserFlowControl(requestsPerSecond: 1).retryAfterHeader == nil)
    }
}
