import Crypto
import Formwork
import FormworkRuntime
import Foundation
import HTTPTypes
import Hummingbird

/// The credentials the simulator hands each function that runs as a process, and the IAM check
/// of the calls signed with them: the simulator tells functions apart by their access key, and
/// checks each call against the function's grants through the same action table as in process.
struct FunctionCredentials: Sendable {
    /// Credentials handed to one function's processes.
    struct Keys: Sendable {
        var accessKeyId: String
        var secretAccessKey: String
        var sessionToken: String
    }

    let keys: [String: Keys]
    let byAccessKey: [String: Function]
    let architecture: Architecture
    let naming: LocalResources

    /// New credentials for every function: random for each simulator, so no function can
    /// guess another's.
    init(architecture: Architecture, naming: LocalResources) {
        self.architecture = architecture
        self.naming = naming
        let salt = SymmetricKey(size: .bits256)
        var keys: [String: Keys] = [:]
        var byAccessKey: [String: Function] = [:]
        for function in architecture.resources(of: Function.self) {
            let digest = HMAC<SHA256>.authenticationCode(for: Data(function.name.utf8), using: salt).map { String(format: "%02X", $0) }.joined()
            let key = Keys(
                accessKeyId: "ASIA" + digest.prefix(16), secretAccessKey: String(digest.dropFirst(16).prefix(40)).lowercased(),
                sessionToken: "formwork-session-" + digest.suffix(8).lowercased())
            keys[function.name] = key
            byAccessKey[key.accessKeyId] = function
        }
        self.keys = keys
        self.byAccessKey = byAccessKey
    }

    /// The credentials of `function`'s processes.
    func credentials(for function: Function) -> Keys? { keys[function.name] }

    /// The function whose access key signed a request (`Authorization: AWS4-HMAC-SHA256 Credential=KEY/...`).
    /// The simulator tells functions apart by the key; it does not verify the signature.
    func caller(of authorization: String?) -> Function? {
        guard let authorization, let range = authorization.range(of: "Credential=") else { return nil }
        let key = authorization[range.upperBound...].prefix { $0 != "/" && $0 != "," && $0 != " " }
        return byAccessKey[String(key)]
    }

    /// Why `function` may not make this call, in IAM's words; nil when its grants allow it.
    /// `target` is the JSON protocols' `X-Amz-Target`, `form` the query protocol's parameters,
    /// `path` the REST path.
    func denial(of function: Function, target: String?, form: [String: String]?, signingService: String?, path: String, body: Data) -> String? {
        let permissions = Permissions(function: function, architecture: architecture, naming: naming)
        let input = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        let actions = Self.actions(target: target, form: form, signingService: signingService, path: path, input: input)
        // What cannot be named as an action on a resource is refused: IAM allows nothing by default.
        guard !actions.isEmpty else { return permissions.denial(target ?? "\(signingService ?? "unknown"):\(path)", on: nil, arn: "*") }
        for (action, resource) in actions {
            let denial: String?
            switch resource {
            case .table(let name, let index):
                let (id, arn) = permissions.table(named: name)
                denial = permissions.denial(action, on: id, arn: arn, index: index)
            case .userPool(let poolId):
                let (id, arn) = permissions.userPool(id: poolId)
                denial = permissions.denial(action, on: id, arn: arn)
            case .parameter(let name):
                let (id, arn) = permissions.parameter(named: name)
                denial = permissions.denial(action, on: id, arn: arn)
            case .topic(let arn):
                denial = permissions.denial(action, on: permissions.topic(arn: arn), arn: arn)
            case .sender(let address):
                let (id, arn) = permissions.emailIdentity(sending: address)
                denial = permissions.denial(action, on: id, arn: arn)
            case .unknown(let what):
                denial = permissions.denial(action, on: nil, arn: what)
            }
            if let denial { return denial }
        }
        return nil
    }

    enum Resource {
        case table(String, index: String?)
        case userPool(String)
        case parameter(String)
        case topic(String)
        case sender(String)
        case unknown(String)
    }

    /// The IAM actions a call needs, each on its resource.
    static func actions(target: String?, form: [String: String]?, signingService: String?, path: String, input: [String: Any])
        -> [(String, Resource)]
    {
        if let target, let dot = target.firstIndex(of: ".") {
            let operation = String(target[target.index(after: dot)...])
            switch target[..<dot] {
            case "DynamoDB_20120810":
                switch operation {
                case "TransactWriteItems":
                    return (input["TransactItems"] as? [[String: Any]] ?? []).flatMap { item in
                        [("Put", "PutItem"), ("Update", "UpdateItem"), ("Delete", "DeleteItem"), ("ConditionCheck", "ConditionCheckItem")]
                            .compactMap { key, action -> (String, Resource)? in
                                guard let entry = item[key] as? [String: Any] else { return nil }
                                return ("dynamodb:\(action)", .table(entry["TableName"] as? String ?? "", index: nil))
                            }
                    }
                case "TransactGetItems":
                    return (input["TransactItems"] as? [[String: Any]] ?? []).map {
                        ("dynamodb:GetItem", .table(($0["Get"] as? [String: Any])?["TableName"] as? String ?? "", index: nil))
                    }
                case "BatchGetItem", "BatchWriteItem":
                    return (input["RequestItems"] as? [String: Any] ?? [:]).keys.sorted().map { ("dynamodb:\(operation)", .table($0, index: nil)) }
                case "ListTables":
                    return [("dynamodb:ListTables", .unknown("*"))]
                default:
                    return [("dynamodb:\(operation)", .table(input["TableName"] as? String ?? "", index: input["IndexName"] as? String))]
                }
            case "AWSCognitoIdentityProviderService":
                return [("cognito-idp:\(operation)", input["UserPoolId"].flatMap { $0 as? String }.map(Resource.userPool) ?? .unknown("*"))]
            case "AmazonSSM":
                let names = (input["Names"] as? [String]) ?? [(input["Name"] as? String) ?? ""]
                return names.map { ("ssm:\(operation)", .parameter($0)) }
            default:
                return []
            }
        }
        if let form, let action = form["Action"] {
            if signingService == "ses" || signingService == "email" {
                let sends = action == "SendEmail" || action == "SendRawEmail"
                return [("ses:\(sends ? "SendEmail" : action)", sends ? .sender(form["Source"] ?? "") : .unknown("*"))]
            }
            return [("sns:\(action)", (form["TopicArn"] ?? form["TargetArn"]).map(Resource.topic) ?? .unknown("*"))]
        }
        if path == "/v2/email/outbound-emails" {
            return [("ses:SendEmail", .sender(input["FromEmailAddress"] as? String ?? ""))]
        }
        return []
    }
}

/// Checks every request signed with a function's credentials against the function's grants
/// before any service answers it, and answers a denied one as the service would.
struct FunctionCallAuthorization: RouterMiddleware {
    let credentials: FunctionCredentials

    func handle(_ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response) async throws -> Response {
        guard let function = credentials.caller(of: request.headers[.authorization]) else { return try await next(request, context) }
        if request.uri.path.hasPrefix("/_formwork/") && !request.uri.path.hasPrefix("/_formwork/runtime/") {
            return ControlResponse.json(["message": "A function's credentials do not reach the simulator's control API."], status: .forbidden)
        }
        guard request.method == .post else { return try await next(request, context) }
        var request = request
        let body = Data(buffer: try await request.collectBody(upTo: 16 * 1024 * 1024))
        let target = request.headers[HeaderNames.target]
        let isForm = request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true
        let form = isForm ? QueryProtocol.parameters(String(decoding: body, as: UTF8.self)) : nil
        let service = QueryProtocol.signingService(request.headers[.authorization])
        guard let denial = credentials.denial(of: function, target: target, form: form, signingService: service, path: request.uri.path, body: body) else {
            return try await next(request, context)
        }
        if isForm {
            return service == "ses" || service == "email"
                ? QueryProtocol.error(service: .ses, code: "AccessDenied", message: denial, status: 403)
                : QueryProtocol.error(service: .sns, code: "AuthorizationError", message: denial, status: 403)
        }
        let type = "AccessDeniedException"
        var response = ControlResponse.json(["__type": type, "message": denial], status: target == nil ? .forbidden : .badRequest)
        response.headers[HTTPField.Name("x-amzn-ErrorType") ?? .contentType] = type
        return response
    }
}
