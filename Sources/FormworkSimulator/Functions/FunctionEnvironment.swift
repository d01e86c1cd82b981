import Formwork
import FormworkRuntime
import Foundation

/// What a function's environment holds in the simulator: the model's variables, references
/// resolved to local names and ARNs, and the variables Lambda itself sets; and its log group.
struct FunctionEnvironment: Sendable {
    let architecture: Architecture
    let naming: LocalResources
    let endpoint: @Sendable () -> String

    func logGroup(_ function: Function) -> String { "/aws/lambda/\(naming.functionName(function))" }

    func variables(of function: Function) -> [String: String] {
        var environment: [String: String] = [
            "AWS_REGION": naming.region, "AWS_DEFAULT_REGION": naming.region, "AWS_LAMBDA_FUNCTION_NAME": naming.functionName(function),
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": String(function.memory), "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": logGroup(function),
        ]
        for variable in function.environment {
            switch variable.value {
            case .literal(let value): environment[variable.key] = value
            case .attribute(let id, let attribute, _):
                environment[variable.key] = naming.value(of: id, attribute, in: architecture, endpoint: endpoint())
            }
        }
        switch architecture.corsOrigin(of: function.id) {
        case .literal(let origin)?: environment[APIGatewayResponse.allowOriginVariable] = origin
        case .distribution?: environment[APIGatewayResponse.allowOriginVariable] = endpoint()
        case nil: break
        }
        return environment
    }
}
