import Formwork
import FormworkRuntime
import Foundation

/// The model's SSM parameters, by name (their paths), with the values the blueprint gives
/// them; in process for the functions, and over SSM's JSON 1.1 protocol (`GetParameter`,
/// `GetParameters`) for SDKs and deployed-style functions.
public struct ParameterService: Sendable {
    let values: [String: String]
    let naming: LocalResources

    /// The parameters of `architecture`.
    public init(architecture: Architecture, naming: LocalResources) {
        values = Dictionary(architecture.resources(of: Parameter.self).map { ($0.path, $0.value) }, uniquingKeysWith: { first, _ in first })
        self.naming = naming
    }

    /// SSM `GetParameter`.
    func value(of name: String) throws -> String {
        guard let value = values[name] else { throw ParameterError.parameterNotFound("Parameter \(name) not found.") }
        return value
    }
}

/// A function's parameters: the model's, every read checked against its grants.
struct GrantedParameters: ParameterClient {
    let parameters: ParameterService
    let permissions: Permissions

    func getParameter(name: String) async throws -> String {
        let (id, arn) = permissions.parameter(named: name)
        if let denial = permissions.denial("ssm:GetParameter", on: id, arn: arn) { throw ParameterError.accessDenied(denial) }
        return try parameters.value(of: name)
    }
}

extension ParameterService: SimulatedService {
    var jsonProtocols: [any JSONProtocolService] { [SSMProtocol(parameters: self)] }
}

/// SSM's JSON 1.1 protocol, for the parameters the model declares (read-only, version 1).
struct SSMProtocol: JSONProtocolService {
    var targetPrefix: String { "AmazonSSM." }
    var contentType: String { "application/x-amz-json-1.1" }
    let parameters: ParameterService

    func handle(operation: String, body: Data, signed: Bool) async -> WireAnswer {
        guard let input = (try? JSONSerialization.jsonObject(with: body.isEmpty ? Data("{}".utf8) : body)) as? [String: Any] else {
            return .error(type: "SerializationException", message: "Unable to parse the request body as JSON.")
        }
        guard signed else { return .error(type: "MissingAuthenticationTokenException", message: "Missing Authentication Token") }
        switch operation {
        case "GetParameter":
            guard let name = input["Name"] as? String, !name.isEmpty else {
                return .error(
                    type: "ValidationException",
                    message: "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null")
            }
            guard let parameter = describe(name) else { return .error(type: "ParameterNotFound", message: "Parameter \(name) not found.") }
            return WireAnswer(status: 200, body: JSONBody.data(["Parameter": parameter]))
        case "GetParameters":
            let names = input["Names"] as? [String] ?? []
            guard (1...10).contains(names.count) else {
                return .error(type: "ValidationException", message: "Names must hold 1 to 10 parameter names, not \(names.count).")
            }
            return WireAnswer(
                status: 200,
                body: JSONBody.data(["Parameters": names.compactMap(describe), "InvalidParameters": names.filter { describe($0) == nil }]))
        default:
            return .error(
                type: "UnknownOperationException", message: "Unknown operation AmazonSSM.\(operation); the simulator answers GetParameter and GetParameters.")
        }
    }

    private func describe(_ name: String) -> [String: Any]? {
        guard let value = parameters.values[name] else { return nil }
        return [
            "Name": name, "Type": "String", "Value": value, "Version": 1, "ARN": parameters.naming.parameterArn(named: name), "DataType": "text",
        ]
    }
}
