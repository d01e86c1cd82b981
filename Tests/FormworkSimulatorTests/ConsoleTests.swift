import Formwork
import FormworkRuntime
import FormworkSimulator
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Console: the architecture document, the operator's wire calls, the console's files")
struct ConsoleTests {
    @Test("the architecture document is the model: every resource, every reference edge, every route with its URL")
    func architectureDocument() async throws {
        try await withHost { host in
            let document = try await host.get("/_formwork/architecture").json
            let model = host.simulator.architecture
            let resources = try #require(document["resources"] as? [[String: Any]])
            #expect(resources.compactMap { $0["id"] as? String } == model.resources.map(\.name))
            #expect(resources.compactMap { $0["kind"] as? String } == model.resources.map(\.id.kind.rawValue))
            let table = try #require(resources.first { $0["id"] as? String == "TasksTable" })
            #expect(table["name"] as? String == "taskmgmt-dev-tasks")
            let tableLocation = try #require(model.resources.first { $0.name == "TasksTable" }?.location)
            #expect(table["declaredAt"] as? String == "\(tableLocation.fileID):\(tableLocation.line):\(tableLocation.column)")
            let references = try #require(document["references"] as? [[String: String]])
            #expect(references.map { [$0["from"], $0["to"], $0["label"]] } == model.referenceEdges.map { [$0.from.name, $0.to.name, $0.label] })
            let routes = try #require(document["routes"] as? [[String: Any]])
            let api = try #require(model.resources(of: RestAPI.self).first)
            #expect(routes.count == api.routes.count)
            let create = try #require(routes.first { $0["method"] as? String == "POST" && $0["path"] as? String == "/tasks" })
            #expect(create["groups"] as? [String] == ["Admin"] && create["access"] as? String == "groups")
            #expect(create["url"] as? String == host.simulator.gateways[0].url + "/tasks")
        }
    }

    @Test("POST /_formwork/aws answers a JSON protocol as the account's administrator; the public endpoint still wants a signature")
    func operatorCalls() async throws {
        try await withHost { host in
            let body = #"{"UserPoolId": "\#(host.poolId)", "Username": "operator@example.com"}"#
            var headers: HTTPFields = [.contentType: "application/x-amz-json-1.1"]
            headers[HTTPField.Name("X-Amz-Target")!] = "AWSCognitoIdentityProviderService.AdminCreateUser"
            let status = try await host.client.execute(uri: "/_formwork/aws", method: .post, headers: headers, body: ByteBuffer(string: body)) {
                $0.status
            }
            #expect(status == .ok)
            let unsigned = try await host.call("AdminGetUser", ["UserPoolId": host.poolId, "Username": "operator@example.com"], signed: false)
            #expect(unsigned.errorType == "MissingAuthenticationTokenException")
            let signed = try await host.call("AdminGetUser", ["UserPoolId": host.poolId, "Username": "operator@example.com"])
            #expect(signed.status == 200 && signed.json["UserStatus"] as? String == "FORCE_CHANGE_PASSWORD")
        }
    }

    @Test("the console's page and files are served with a policy that allows nothing from outside; other paths are 404")
    func files() async throws {
        try await withHost { host in
            let (status, policy, html) = try await host.client.execute(uri: "/_formwork/", method: .get) {
                ($0.status, $0.headers[HTTPField.Name("Content-Security-Policy")!], String(buffer: $0.body))
            }
            #expect(status == .ok)
            #expect(policy?.hasPrefix("default-src 'none'; script-src 'self'") == true)
            #expect(html.contains("/_formwork/console/console.js"))
            let script = try await host.client.execute(uri: "/_formwork/console/console.js", method: .get) {
                ($0.status, $0.headers[.contentType])
            }
            #expect(script.0 == .ok && script.1 == "application/javascript")
            for path in ["/_formwork/console/../Console.swift", "/_formwork/console/.hidden", "/_formwork/console/missing.js", "/_formwork/console/pages"] {
                #expect(try await host.get(path).status == 404, "\(path)")
            }
        }
    }
}
