import Foundation
import FormworkRuntime
import Testing

@Suite("APIGatewayResponse")
struct APIGatewayResponseTests {
    private struct Task: Codable, Equatable {
        var taskId: String
        var title: String
        var deadline: Date
        var version: Int
    }

    @Test("json sets the status, the JSON content type and a sorted body with ISO 8601 dates")
    func json() throws {
        let task = Task(taskId: "t-1", title: "Ship", deadline: Date(timeIntervalSince1970: 1_796_144_400), version: 1)
        let response = try APIGatewayResponse.json(status: 201, task)
        #expect(response.statusCode == 201)
        #expect(response.headers == ["Content-Type": "application/json; charset=utf-8"])
        #expect(response.header("content-type") == APIGatewayResponse.jsonContentType)
        #expect(response.body == #"{"deadline":"2026-12-01T17:00:00Z","taskId":"t-1","title":"Ship","version":1}"#)
        #expect(response.isBase64Encoded == false)
        let decoded = try JSONCoding.decode(Task.self, from: Data((response.body ?? "").utf8))
        #expect(decoded == task)
    }

    @Test("json defaults to 200, keeps extra headers and a caller's own content type")
    func jsonHeaders() throws {
        let plain = try APIGatewayResponse.json(["ok": true], headers: ["Cache-Control": "no-store"])
        #expect(plain.statusCode == 200)
        #expect(plain.headers["Cache-Control"] == "no-store")
        #expect(plain.headers["Content-Type"] == "application/json; charset=utf-8")

        let custom = try APIGatewayResponse.json(["ok": true], headers: ["content-type": "application/problem+json"])
        #expect(custom.headers == ["content-type": "application/problem+json"])
    }

    @Test("error writes { message, code, details } and leaves out missing details")
    func errorBody() throws {
        let withDetails = APIGatewayResponse.error(
            status: 400, code: "ValidationFailed", message: "The task is not valid.",
            details: [.init(field: "title", problem: "must be 1–200 characters")])
        #expect(withDetails.statusCode == 400)
        #expect(withDetails.header("Content-Type") == "application/json; charset=utf-8")
        #expect(
            withDetails.body
                == #"{"code":"ValidationFailed","details":[{"field":"title","problem":"must be 1–200 characters"}],"message":"The task is not valid."}"#
        )

        let conflict = APIGatewayResponse.error(status: 409, code: "VersionConflict", message: "The task has changed.")
        #expect(conflict.body == #"{"code":"VersionConflict","message":"The task has changed."}"#)
        let body = try JSONCoding.decode(APIErrorBody.self, from: Data((conflict.body ?? "").utf8))
        #expect(body == APIErrorBody(message: "The task has changed.", code: "VersionConflict"))
    }

    @Test("noContent is a 204 without a body")
    func noContent() {
        let response = APIGatewayResponse.noContent()
        #expect(response.statusCode == 204)
        #expect(response.body == nil)
    }

    @Test("a proxy response round-trips and decodes the minimal form Lambda accepts")
    func codable() throws {
        let response = APIGatewayResponse(
            statusCode: 200, headers: ["Content-Type": "text/plain"],
            multiValueHeaders: ["Set-Cookie": ["a=1", "b=2"]], body: "hi")
        #expect(try roundTrip(response) == response)
        #expect(try roundTrip(APIGatewayResponse.noContent()) == .noContent())

        let minimal = try decode(APIGatewayResponse.self, #"{"statusCode": 404, "headers": null}"#)
        #expect(minimal == APIGatewayResponse(statusCode: 404))
        #expect(try encodedText(minimal) == #"{"isBase64Encoded":false,"statusCode":404}"#)
    }

    @Test("APIErrorBody round-trips with and without details")
    func errorBodyCodable() throws {
        let body = APIErrorBody(message: "Bad", code: "ValidationFailed", details: [.init(field: "deadline", problem: "must be in the future")])
        #expect(try roundTrip(body) == body)
        #expect(try roundTrip(APIErrorBody(message: "Unauthorized", code: "Unauthorized")).details == nil)
    }
}
