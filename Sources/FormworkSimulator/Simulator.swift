import Formwork
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// One environment of a blueprint, simulated in this process: the AWS service APIs its
/// resources need, on one port. Built from the model, never from the generated template.
///
/// ```swift
/// let simulator = try Simulator(architecture: blueprint.architecture(for: .dev), environment: .dev, state: .inMemory)
/// try await simulator.run(host: "127.0.0.1", port: 4566) { port in print("listening on \(port)") }
/// ```
public final class Simulator: Sendable {
    /// Where the simulator keeps its state.
    public enum State: Sendable {
        /// Nothing survives the process.
        case inMemory
        /// A SQLite database in this directory (`state.sqlite`), created if missing.
        case directory(String)
    }

    /// The simulated DynamoDB tables.
    public let tables: TableService
    /// The environment simulated.
    public let environment: Formwork.Environment
    let dynamoDB: DynamoDBProtocol

    /// Builds the services of `architecture`.
    public init(architecture: Architecture, environment: Formwork.Environment, state: State, region: String = "us-east-1") throws {
        let store: TableStore =
            switch state {
            case .inMemory: try .inMemory()
            case .directory(let path): try .file(URL(fileURLWithPath: path).appendingPathComponent("state.sqlite").path)
            }
        self.environment = environment
        tables = try TableService(architecture: architecture, store: store)
        dynamoDB = DynamoDBProtocol(service: tables, region: region)
    }

    /// Serves every API on one port until the task is cancelled; `onReady` receives the bound
    /// port (useful with port 0).
    public func run(host: String, port: Int, onReady: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(host, port: port), serverName: "formwork"),
            onServerRunning: { channel in await onReady(channel.localAddress?.port ?? port) })
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        let dynamoDB = self.dynamoDB
        router.get("/_formwork/health") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        router.post("/") { request, _ -> Response in
            let target = request.headers[HeaderNames.target] ?? ""
            let body = try await request.body.collect(upTo: 16 * 1024 * 1024)
            guard target.hasPrefix(DynamoDBProtocol.targetPrefix) else {
                return Self.json(
                    status: 400, Data(#"{"__type":"com.amazon.coral.service#UnknownOperationException","message":"Unknown target \#(target)"}"#.utf8),
                    contentType: DynamoDBProtocol.contentType)
            }
            let answer = await dynamoDB.handle(target: target, body: Data(buffer: body))
            return Self.json(status: answer.status, answer.body, contentType: DynamoDBProtocol.contentType)
        }
        return router
    }

    static func json(status: Int, _ body: Data, contentType: String) -> Response {
        var headers: HTTPFields = [.contentType: contentType]
        headers[HeaderNames.requestID] = UUID().uuidString
        headers[HeaderNames.crc32] = String(CRC32.checksum(body))
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// The AWS protocol headers the simulator reads and writes.
enum HeaderNames {
    static let target = name("X-Amz-Target")
    static let requestID = name("x-amzn-RequestId")
    static let crc32 = name("x-amz-crc32")

    /// A header name; these literals are valid tokens, so the fallback never applies.
    private static func name(_ text: String) -> HTTPField.Name {
        HTTPField.Name(text) ?? .contentType
    }
}

/// CRC-32 (IEEE), which SDKs check DynamoDB responses against (`x-amz-crc32`).
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    static func checksum(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
