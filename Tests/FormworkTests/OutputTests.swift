import Blueprints
import Formwork
import FormworkTemplate
import Foundation
import Testing

@Suite("Templates on disk")
struct OutputTests {
    @Test("the committed output/ matches a fresh synth byte for byte", arguments: Environment.standard)
    func golden(env: Environment) throws {
        var result = synth(env)
        let yaml = try result.render(as: .yaml)
        let committed = try String(contentsOf: repositoryRoot.appendingPathComponent("output/\(env.name)/template.yaml"), encoding: .utf8)
        #expect(yaml == committed, "output/\(env.name)/template.yaml is stale: run `swift run formwork synth`")
        let api = try #require(result.architecture.resources(of: RestAPI.self).first)
        let openAPI = try OpenAPIDocument.make(for: api, architecture: result.architecture, environment: env).rendered(as: .yaml)
        let committedOpenAPI = try String(contentsOf: repositoryRoot.appendingPathComponent("output/\(env.name)/openapi.yaml"), encoding: .utf8)
        #expect(openAPI == committedOpenAPI)
    }

    @Test("synthesis is deterministic: two runs give the same bytes, YAML and JSON", arguments: Environment.standard)
    func deterministic(env: Environment) throws {
        var first = synth(env), second = synth(env)
        #expect(try first.render(as: .yaml) == second.render(as: .yaml))
        #expect(try first.render(as: .json) == second.render(as: .json))
    }

    @Test("YAML starts with the canonical sections, quotes the version and uses short-form intrinsics")
    func yamlShape() throws {
        var result = synth(.prod)
        let yaml = try result.render(as: .yaml)
        #expect(yaml.hasPrefix("AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nDescription: "))
        let order = [
            "AWSTemplateFormatVersion:", "\nTransform:", "\nDescription:", "\nMetadata:", "\nParameters:", "\nConditions:", "\nGlobals:", "\nResources:",
            "\nOutputs:",
        ]
        let positions = order.compactMap { yaml.range(of: $0)?.lowerBound }
        #expect(positions.count == order.count)
        #expect(positions == positions.sorted())
        #expect(yaml.contains("!Ref TasksTable"))
        #expect(yaml.contains("!GetAtt TasksTable.Arn"))
        #expect(yaml.contains("!Sub '${TasksTable.Arn}/index/ByAssignee'") || yaml.contains("!Sub ${TasksTable.Arn}/index/ByAssignee"))
        #expect(yaml.contains("!If"))
        #expect(!yaml.contains("Fn::GetAtt"))
    }

    @Test("JSON uses long-form intrinsics and parses as JSON")
    func json() throws {
        var result = synth(.prod)
        let text = try result.render(as: .json)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        let resources = object?["Resources"] as? [String: Any]
        #expect(resources?.count == result.template.resources.count)
        #expect(text.contains("\"Fn::GetAtt\": [\n"))
        #expect(text.contains("\"Ref\": \"TasksTable\""))
    }
}
