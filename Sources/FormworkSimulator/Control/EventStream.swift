import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// A live page's feed as server-sent events (`text/event-stream`): rows of the state
/// database, each sent once with its sequence number as the event id, first the latest ones
/// (or those after the client's `Last-Event-ID`), then each new one as its transaction commits.
/// The stream ends when the client leaves or the simulator shuts down.
struct EventStream: Sendable {
    /// One event: its id (a row's sequence number), its name and its JSON data.
    struct Event: Sendable {
        var id: Int64
        var name: String
        /// The data, one line of JSON.
        var json: String

        init(id: Int64, name: String, data: [String: Any]) {
            self.id = id
            self.name = name
            json = String(decoding: JSONBody.data(data), as: UTF8.self)
        }
    }

    let database: StateDatabase
    /// The database tables whose commits may bring new events.
    let tables: [String]
    /// The events after an id, oldest first; with no id, the latest ones.
    let events: @Sendable (_ after: Int64?) throws -> [Event]
    /// How often a comment keeps an idle connection open (and notices a client that left).
    var heartbeat: Duration = .seconds(15)

    /// The answer to `request`, resuming after its `Last-Event-ID` when it has one.
    func response(to request: Request) -> Response {
        let resume = request.headers[Self.lastEventID].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        let stream = self
        var headers: HTTPFields = [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"]
        headers[Self.accelBuffering] = "no"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in try await stream.write(to: &writer, after: resume) })
    }

    private func write(to writer: inout any ResponseBodyWriter, after resume: Int64?) async throws {
        let (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        // Observing starts before the first read, so no commit falls between the two.
        let observation = DatabaseRegionObservation(tracking: tables.map { Table($0) })
            .start(in: database.writer, onError: { _ in wake.finish() }, onChange: { _ in wake.yield() })
        let heartbeat = self.heartbeat
        let ticker = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: heartbeat)
                wake.yield()
            }
        }
        defer {
            observation.cancel()
            ticker.cancel()
        }
        do {
            try await withGracefulShutdownHandler {
                var last = resume
                try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
                last = try await send(after: last, to: &writer) ?? last
                for await _ in wakes {
                    if let sent = try await send(after: last, to: &writer) {
                        last = sent
                    } else {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    }
                }
            } onGracefulShutdown: {
                wake.finish()
            }
            try await writer.finish(nil)
        } catch {
            // The client left; there is no one to tell.
        }
    }

    /// Sends every event after `last`; returns the last id sent, or nil when there was none.
    private func send(after last: Int64?, to writer: inout any ResponseBodyWriter) async throws -> Int64? {
        var cursor = last
        var batch = try events(cursor)
        while let newest = batch.last {
            try await writer.write(ByteBuffer(string: batch.map(Self.format).joined()))
            cursor = newest.id
            batch = try events(cursor)
        }
        return cursor == last ? nil : cursor
    }

    /// An event in the `text/event-stream` format; the JSON has no line breaks.
    static func format(_ event: Event) -> String {
        "id: \(event.id)\nevent: \(event.name)\ndata: \(event.json)\n\n"
    }

    static let lastEventID = HTTPField.Name("Last-Event-ID") ?? .contentType
    static let accelBuffering = HTTPField.Name("X-Accel-Buffering") ?? .contentType
}
