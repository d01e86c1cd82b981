import Hummingbird
import NIOConcurrencyHelpers

/// Serves `router` on a free loopback port while `body` runs with that port, then stops it.
public func withLocalServer(_ router: Router<BasicRequestContext>, _ body: @Sendable (Int) async throws -> Void) async throws {
    let ready = NIOLockedValueBox<CheckedContinuation<Int, Never>?>(nil)
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in
            ready.withLockedValue { $0?.resume(returning: channel.localAddress?.port ?? 0) }
            ready.withLockedValue { $0 = nil }
        })
    try await withThrowingTaskGroup(of: Void.self) { group in
        let port = await withCheckedContinuation { continuation in
            ready.withLockedValue { $0 = continuation }
            group.addTask { try await app.runService() }
        }
        try await body(port)
        group.cancelAll()
    }
}
