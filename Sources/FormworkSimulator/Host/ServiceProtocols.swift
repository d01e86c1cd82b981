import Foundation
import Hummingbird

/// One simulated AWS service as the host sees it: how requests reach it, and the work that
/// falls due as the clock moves. Each service lives in its own folder with one public entry
/// type; the host lists them in ``Simulator``.
protocol SimulatedService: Sendable {
    /// The AWS JSON protocols it answers at `POST /`, by `X-Amz-Target` prefix.
    var jsonProtocols: [any JSONProtocolService] { get }
    /// Adds the service's own paths (discovery documents, the API, the site).
    func addRoutes(to router: Router<BasicRequestContext>)
    /// Does whatever fell due by `now` (expired items, schedules); the host calls it as real
    /// time passes and after every clock jump, and waits for it.
    func runDue(at now: Date) async
    /// When the service next has work to do, if it knows: the host moves a jumping clock
    /// through each such time in turn.
    var nextDue: Date? { get }
}

extension SimulatedService {
    var jsonProtocols: [any JSONProtocolService] { [] }
    func addRoutes(to router: Router<BasicRequestContext>) {}
    func runDue(at now: Date) async {}
    var nextDue: Date? { nil }
}

/// An AWS JSON protocol (1.0 or 1.1): `POST /` with `X-Amz-Target: <prefix><Operation>`.
protocol JSONProtocolService: Sendable {
    /// The target prefix, such as `DynamoDB_20120810.`.
    var targetPrefix: String { get }
    /// The response content type, such as `application/x-amz-json-1.1`.
    var contentType: String { get }
    /// Answers one operation. Never throws: failures become the service's error bodies.
    func handle(operation: String, body: Data, signed: Bool) async -> WireAnswer
}

/// An HTTP answer of an AWS protocol: status and body.
public struct WireAnswer: Sendable {
    /// The HTTP status.
    public var status: Int
    /// The JSON body.
    public var body: Data

    /// An answer.
    public init(status: Int, body: Data) {
        self.status = status
        self.body = body
    }

    /// The error body of AWS JSON protocols: `{"__type": ..., "message": ...}`.
    static func error(status: Int = 400, type: String, message: String) -> WireAnswer {
        WireAnswer(status: status, body: JSONBody.data(["__type": type, "message": message]))
    }
}

/// JSON bodies with sorted keys and unescaped slashes, as the simulator writes them.
enum JSONBody {
    static func data(_ object: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }
}
