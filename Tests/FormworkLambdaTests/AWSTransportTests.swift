import FormworkLambda
import FormworkRuntime
import FormworkTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import Testing

@Suite("AWS transport: endpoints, retries, errors")
struct AWSTransportTests {
    static let credentials = AWSCredentials(accessKeyId: "AKIDTEST", secretAccessKey: "secret")

    @Test("endpoints: a service's own override, then AWS_ENDPOINT_URL, then AWS's")
    func endpoints() throws {
        let configuration = try AWSConfiguration(environment: [
            "AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b", "AWS_ENDPOINT_URL": "http://127.0.0.1:4566/",
            "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000",
        ])
        #expect(configuration.endpoint(of: .dynamoDB) == "http://127.0.0.1:8000")
        #expect(configuration.endpoint(of: .sns) == "http://127.0.0.1:4566")
        let plain = try AWSConfiguration(environment: ["AWS_DEFAULT_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"])
        #expect(plain.endpoint(of: .dynamoDB) == "https://dynamodb.eu-west-1.amazonaws.com")
        #expect(plain.endpoint(of: .sesV2) == "https://email.eu-west-1.amazonaws.com")
        #expect(throws: AWSConfigurationError.self) { try AWSConfiguration(environment: ["AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"]) }
    }

    /// A DynamoDB stand-in that answers `ThrottlingException` to the first `throttles` requests,
    /// then an empty item.
    static func throttling(_ throttles: Int, _ body: @Sendable (String, NIOLockedValueBox<Int>) async throws -> Void) async throws {
        let seen = NIOLockedValueBox(0)
        let router = Router()
        router.post("/") { request, _ -> Response in
            #expect(request.headers[.authorization]?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDTEST/") == true)
            let count = seen.withLockedValue { value -> Int in
                value += 1
                return value
            }
            let throttled = count <= throttles
            let body = throttled ? #"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate exceeded"}"# : "{}"
            return Response(
                status: throttled ? .badRequest : .ok, headers: [.contentType: "application/x-amz-json-1.0"],
                body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        try await withLocalServer(router) { port in try await body("http://127.0.0.1:\(port)", seen) }
    }

    static func tables(_ endpoint: String, pauses: NIOLockedValueBox<[Duration]>) -> DynamoDBTables {
        DynamoDBTables(
            transport: AWSTransport(
                configuration: AWSConfiguration(region: "us-east-1", credentials: credentials, endpointURL: endpoint),
                pause: { duration in pauses.withLockedValue { $0.append(duration) } }))
    }

    @Test("throttling is retried with jittered pauses, up to three attempts")
    func retriesThrottling() async throws {
        try await Self.throttling(2) { endpoint, seen in
            let pauses = NIOLockedValueBox<[Duration]>([])
            let item = try await Self.tables(endpoint, pauses: pauses).getItem(table: "t", key: ["id": "1"])
            #expect(item == nil)
            #expect(seen.withLockedValue { $0 } == 3)
            let waited = pauses.withLockedValue { $0 }
            #expect(waited.count == 2)
            #expect(waited[0] <= .milliseconds(500) && waited[1] <= .seconds(1), "the ceiling doubles from 0.5 s: \(waited)")
        }
        try await Self.throttling(5) { endpoint, seen in
            let pauses = NIOLockedValueBox<[Duration]>([])
            await #expect(throws: TableError.self) { _ = try await Self.tables(endpoint, pauses: pauses).getItem(table: "t", key: ["id": "1"]) }
            #expect(seen.withLockedValue { $0 } == 3, "bounded: three attempts, then the error")
        }
    }

    @Test("an unreachable service is the interface's error, named NetworkingError")
    func unreachable() async throws {
        let pauses = NIOLockedValueBox<[Duration]>([])
        do {
            _ = try await Self.tables("http://127.0.0.1:1", pauses: pauses).getItem(table: "t", key: ["id": "1"])
            Issue.record("the call should fail")
        } catch let error as TableError {
            #expect(error.awsErrorCode == "NetworkingError", "\(error)")
        }
    }
}
