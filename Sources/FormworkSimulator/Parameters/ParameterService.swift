import Formwork
import FormworkRuntime
import Foundation

/// The model's SSM parameters, by name (their paths), with the values the blueprint gives them.
public struct ParameterService: Sendable {
    let values: [String: String]

    /// The parameters of `architecture`.
    public init(architecture: Architecture) {
        values = Dictionary(architecture.resources(of: Parameter.self).map { ($0.path, $0.value) }, uniquingKeysWith: { first, _ in first })
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
