import Foundation
import Synchronization
import Testing
@testable import AliyunSMS

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let time: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        time = Mutex(start)
    }

    var now: Date { time.withLock { $0 } }

    func advance(by seconds: TimeInterval) {
        time.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    /// The clock as a provider takes it.
    var reading: @Sendable () -> Date { { self.now } }
}

/// A source that counts its fetches and answers as its script says for the n-th one (from 1),
/// after an optional pause so that askers pile up behind a fetch in flight.
final class ScriptedSource: CredentialsSource {
    let name: String
    private let fetches = Mutex(0)
    private let script: @Sendable (Int) -> Result<Credentials, CredentialsError>
    private let pause: Duration

    init(name: String = "scripted", pause: Duration = .zero, script: @escaping @Sendable (Int) -> Result<Credentials, CredentialsError>) {
        self.name = name
        self.pause = pause
        self.script = script
    }

    /// STS-like credentials, the n-th numbered, that live `lifetime` seconds from `clock`'s now.
    convenience init(clock: ManualClock, lifetime: TimeInterval?, pause: Duration = .zero, failingFrom: Int = .max) {
        self.init(pause: pause) { number in
            if number >= failingFrom { return .failure(CredentialsError(.unavailable, "STS did not answer (fetch \(number))")) }
            return .success(Credentials(accessKeyId: "STS.RefreshKey\(number)", accessKeySecret: "secret-\(number)", securityToken: "token-\(number)",
                                        expiration: lifetime.map { clock.now.addingTimeInterval($0) }))
        }
    }

    /// How many fetches it answered.
    var count: Int { fetches.withLock { $0 } }

    func fetch() async throws(CredentialsError) -> Credentials {
        let number = fetches.withLock { count -> Int in
            count += 1
            return count
        }
        if pause > .zero { try? await Task.sleep(for: pause) }
        return try script(number).get()
    }
}

/// What `onRefresh` was told.
final class RefreshLog: Sendable {
    private let entries = Mutex<[CredentialsRefresh]>([])
    var all: [CredentialsRefresh] { entries.withLock { $0 } }
    var callback: @Sendable (CredentialsRefresh) -> Void { { refresh in self.entries.withLock { $0.append(refresh) } } }
}

/// Cached credentials are shared, refreshed 15 minutes before they expire, one fetch at a time,
/// and kept through a failed refresh while they are valid.
@Suite struct RefreshingProviderTests {
    @Test func credentialsGoStaleFifteenMinutesBeforeTheyExpire() async throws {
        let clock = ManualClock(), log = RefreshLog()
        let source = ScriptedSource(clock: clock, lifetime: 3600)
        let provider = RefreshingCredentialsProvider(source: source, now: clock.reading, onRefresh: log.callback)
        #expect(await provider.sourceName == nil, "nothing fetched yet")
        #expect(try await provider.credentials().accessKeyId == "STS.RefreshKey1")
        #expect(await provider.sourceName == "scripted")
        clock.advance(by: 45 * 60 - 1)
        #expect(try await provider.credentials().accessKeyId == "STS.RefreshKey1")
        #expect(source.count == 1)
        clock.advance(by: 1)
        #expect(try await provider.credentials().accessKeyId == "STS.RefreshKey2")
        #expect(try await provider.credentials().accessKeyId == "STS.RefreshKey2")
        #expect(source.count == 2)
        #expect(log.all.map(\.maskedKeyId) == ["STS.****Key1", "STS.****Key2"])
        #expect(log.all.allSatisfy { $0.failure == nil && $0.source == "scripted" && $0.expiration != nil })
    }

    @Test func shortLivedCredentialsGoStaleAfterHalfTheirLifetime() async throws {
        let clock = ManualClock()
        let source = ScriptedSource(clock: clock, lifetime: 10)
        let provider = RefreshingCredentialsProvider(source: source, now: clock.reading)
        for _ in 0..<20 { _ = try await provider.credentials() }
        #expect(source.count == 1, "a 10-second credential is not fetched for every request")
        clock.advance(by: 4.9)
        _ = try await provider.credentials()
        #expect(source.count == 1)
        clock.advance(by: 0.1)
        #expect(try await provider.credentials().accessKeyId == "STS.RefreshKey2")
        #expect(source.count == 2)
    }

    @Test func credentialsWithoutExpirationAreNeverRefreshed() async throws {
        let clock = ManualClock()
        let source = ScriptedSource(clock: clock, lifetime: nil)
        let provider = RefreshingCredentialsProvider(source: source, now: clock.reading)
        _ = try await provider.credentials()
        clock.advance(by: 400 * 86_400)
        _ = try await provider.credentials()
        #expect(source.count == 1)
    }

    @Test func concurrentAskersWaitForOneFetch() async throws {
        let clock = ManualClock()
        let source = ScriptedSource(clock: clock, lifetime: 3600, pause: .milliseconds(100))
        let provider = RefreshingCredentialsProvider(source: source, now: clock.reading)
        let keys = try await Self.ask(provider, times: 50)
        #expect(source.count == 1)
        #expect(Set(keys) == ["STS.RefreshKey1"])
        clock.advance(by: 50 * 60)
        let refreshed = try await Self.ask(provider, times: 50)
        #expect(source.count == 2, "one refresh however many ask at the stale point")
        #expect(Set(refreshed) == ["STS.RefreshKey2"])
    }

    @Test func aFailedRefreshKeepsValidCredentialsAndBacksOff() async throws {
        let clock = ManualClock(), log = RefreshLog()
        let source = ScriptedSource(clock: clock, lifetime: 3600, failingFrom: 2)
        let provider = RefreshingCredentialsProvider(source: source, now: clock.reading, onRefresh: log.callback)
        _ = try await provider.credentials()
        clock.advance(by: 45 * 60)
        #expect(try await provider.credentials().accessKeyId == "STS.RefreshKey1", "kept: still valid for 15 minutes")
        #expect(source.count == 2)
        #expect(log.all.count == 2 && log.all[1].failure == "STS did not answer (fetch 2)" && log.all[1].maskedKeyId == "STS.****Key1")
        clock.advance(by: 0.5)
        _ = try await provider.credentials()
        #expect(source.count == 2, "no retry within the first second")
        clock.advance(by: 0.5)
        _ = try await provider.credentials()
        #expect(source.count == 3, "retried after 1 s")
        clock.advance(by: 1.9)
        _ = try await provider.credentials()
        #expect(source.count == 3, "the next wait is 2 s")
        clock.advance(by: 0.1)
        #expect(try await provider.credentials().accessKeyId == "STS.RefreshKey1")
        #expect(source.count == 4)
        #expect(log.all.dropFirst().allSatisfy { $0.failure != nil })
    }

    @Test func theBackoffDoublesUpToAMinute() {
        let waits = (1...9).map { RefreshingCredentialsProvider.backoff(afterFailures: $0) }
        #expect(waits == [1, 2, 4, 8, 16, 32, 60, 60, 60])
        #expect(RefreshingCredentialsProvider.backoff(afterFailures: 500) == 60)
    }

    @Test func aFailedFetchAfterExpiryThrows() async throws {
        let clock = ManualClock(), log = RefreshLog()
        let source = ScriptedSource(clock: clock, lifetime: 3600, failingFrom: 2)
        let provider = RefreshingCredentialsProvider(source: source, now: clock.reading, onRefresh: log.callback)
        _ = try await provider.credentials()
        clock.advance(by: 3600)
        await #expect(throws: CredentialsError.self) { try await provider.credentials() }
        await #expect(throws: CredentialsError.self) { try await provider.credentials() }
        #expect(source.count == 3, "expired: every ask tries again, no backoff")
        #expect(log.all.count == 1, "only the first fetch is reported; nothing was kept")
    }

    @Test func aFailedFirstFetchThrows() async throws {
        let source = ScriptedSource { _ in .failure(CredentialsError(.unavailable, "nobody home")) }
        let provider = RefreshingCredentialsProvider(source: source)
        do {
            _ = try await provider.credentials()
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .unavailable && error.message == "nobody home")
        }
        #expect(await provider.sourceName == nil)
    }

    @Test func refusedCredentialsAreReplacedOnce() async throws {
        let clock = ManualClock()
        let source = ScriptedSource(clock: clock, lifetime: 3600, pause: .milliseconds(50))
        let provider = RefreshingCredentialsProvider(source: source, now: clock.reading)
        let refused = try await provider.credentials()
        let replaced = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await provider.refresh(replacing: refused).accessKeyId } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(replaced) == ["STS.RefreshKey2"])
        #expect(source.count == 2, "twenty refusals of the same credentials, one fetch")
        #expect(try await provider.refresh(replacing: refused).accessKeyId == "STS.RefreshKey2")
        #expect(source.count == 2, "already replaced")
        #expect(try await provider.refresh(replacing: try await provider.credentials()).accessKeyId == "STS.RefreshKey3")
        #expect(source.count == 3)
    }

    @Test func aFailedReplacementDropsTheRefusedCredentials() async throws {
        let clock = ManualClock()
        let source = ScriptedSource(clock: clock, lifetime: 3600, failingFrom: 2)
        let provider = RefreshingCredentialsProvider(source: source, now: clock.reading)
        let refused = try await provider.credentials()
        await #expect(throws: CredentialsError.self) { try await provider.refresh(replacing: refused) }
        await #expect(throws: CredentialsError.self) { try await provider.credentials() }
        #expect(source.count == 3, "the refused credentials are not handed out again")
    }

    @Test func aStaticProviderKeepsWorking() async throws {
        let fixed = Credentials(accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: "s")
        let provider: any CredentialsProvider = StaticCredentialsProvider(fixed)
        #expect(try await provider.refresh(replacing: fixed) == fixed)
        #expect(await provider.sourceName == nil)
    }

    static func ask(_ provider: RefreshingCredentialsProvider, times: Int) async throws -> [String] {
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<times { group.addTask { try await provider.credentials().accessKeyId } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
    }
}
