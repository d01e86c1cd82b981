import Crypto
import Formwork
import Foundation

/// What each resource of the model is called in the simulator: its local name, ARN and URL.
/// The one place that names resources locally; the control API, the identity service and (later)
/// function environments all read it.
public struct LocalResources: Sendable {
    /// One resource as the simulator serves it.
    public struct Entry: Codable, Equatable, Sendable {
        /// The blueprint's logical ID.
        public var logicalId: String
        /// The resource's kind, as the model names it.
        public var kind: String
        /// The local physical name (or id).
        public var name: String
        /// The ARN, where the resource type has one.
        public var arn: String?
        /// Where the simulator serves it, if it does.
        public var url: String?
    }

    /// The region named in ARNs.
    public let region: String
    /// The account named in ARNs.
    public let account: String
    /// Blueprint, environment and logical IDs seed the generated ids, so they stay the same
    /// across restarts and machines.
    let seed: String

    /// Naming for one environment of an architecture.
    public init(architecture: Architecture, environment: Formwork.Environment, region: String, account: String = "000000000000") {
        self.region = region
        self.account = account
        seed = "\(architecture.name)/\(environment.name)"
    }

    /// The user pool's id: `<region>_` and nine letters and digits, as Cognito makes them.
    public func userPoolId(_ pool: UserPool) -> String {
        "\(region)_\(token(for: "pool/\(pool.name)", length: 9, alphabet: Self.alphanumerics))"
    }

    /// The pool's app client id: 26 lowercase letters and digits, as Cognito makes them.
    public func userPoolClientId(_ pool: UserPool) -> String {
        token(for: "client/\(pool.name)", length: 26, alphabet: Self.lowercaseAlphanumerics)
    }

    /// The user pool's ARN.
    public func userPoolArn(_ pool: UserPool) -> String { userPoolArn(id: userPoolId(pool)) }

    /// The ARN of the user pool with the id `poolId`.
    public func userPoolArn(id poolId: String) -> String { "arn:aws:cognito-idp:\(region):\(account):userpool/\(poolId)" }

    /// The ARN of the table named `name`.
    public func tableArn(named name: String) -> String { "arn:aws:dynamodb:\(region):\(account):table/\(name)" }

    /// The ARN of the SSM parameter named `name` (its path).
    public func parameterArn(named name: String) -> String {
        "arn:aws:ssm:\(region):\(account):parameter\(name.hasPrefix("/") ? "" : "/")\(name)"
    }

    /// The ARN of the SES identity `identity` (an address or a domain).
    public func emailIdentityArn(_ identity: String) -> String { "arn:aws:ses:\(region):\(account):identity/\(identity)" }

    /// The table's local name: its physical name, or its logical ID.
    public func tableName(_ table: Table) -> String { table.tableName ?? table.name }

    /// The local value of `attribute` of the resource `id`, as the model resolves references:
    /// what a function's environment variable holds in the simulator.
    public func value(of id: ResourceID, _ attribute: ResourceAttribute, in architecture: Architecture, endpoint: String) -> String? {
        guard let resource = architecture.resource(id) else { return nil }
        let entry = entry(for: resource, endpoint: endpoint)
        switch architecture.resolution(of: id, attribute) {
        case .physicalID: return id.kind == .topic ? entry.arn : entry.name
        case .attribute("Arn"): return entry.arn
        case .attribute: return entry.name
        case .appClientID: return (resource as? UserPool).map(userPoolClientId)
        case .apiURL(let stage): return "\(endpoint)/restapis/\(entry.name)/\(stage)/_user_request_"
        case .distributionURL: return endpoint
        case .literal(let value): return value
        }
    }

    /// The function's execution role's session ARN, as IAM names the caller in an access
    /// denial.
    public func assumedRoleArn(_ function: Function) -> String {
        let name = function.functionName ?? function.name
        return "arn:aws:sts::\(account):assumed-role/\(function.roleLogicalID)/\(name)"
    }

    /// The function's local name.
    public func functionName(_ function: Function) -> String { function.functionName ?? function.name }

    /// The ARN of a function's dead-letter queue.
    public func deadLetterQueueArn(_ function: Function) -> String {
        "arn:aws:sqs:\(region):\(account):\(function.deadLetterQueueLogicalID)"
    }

    /// The ARN of a topic's subscription, from what it delivers to, so that it stays the same
    /// when the blueprint reorders its subscriptions.
    public func subscriptionArn(topicArn: String, _ subscription: Subscription, in architecture: Architecture) -> String {
        let endpoint: String =
            switch subscription.endpoint {
            case .email(let address): address
            case .sms(let number): number
            case .https(let url): url
            case .function(let id, _, _): arn(of: id, in: architecture) ?? id.name
            }
        return "\(topicArn):\(uuid(for: "\(topicArn)/\(subscription.protocolName)/\(endpoint)"))"
    }

    /// The ARN of a resource, where it has one.
    public func arn(of id: ResourceID, in architecture: Architecture) -> String? {
        architecture.resource(id).flatMap { entry(for: $0, endpoint: "").arn }
    }

    /// The entry of every resource of `architecture`, in model order; `endpoint` is where the
    /// simulator listens.
    public func entries(of architecture: Architecture, endpoint: String) -> [Entry] {
        architecture.resources.map { entry(for: $0, endpoint: endpoint) }
    }

    private func entry(for resource: any Resource, endpoint: String) -> Entry {
        let id = resource.name
        var entry = Entry(logicalId: id, kind: resource.id.kind.rawValue, name: id)
        let r = region, a = account
        switch resource {
        case let table as Table:
            entry.name = tableName(table)
            entry.arn = tableArn(named: entry.name)
            entry.url = endpoint
        case let pool as UserPool:
            entry.name = userPoolId(pool)
            entry.arn = userPoolArn(pool)
            entry.url = "\(endpoint)/\(entry.name)"
        case let function as Function:
            entry.name = functionName(function)
            entry.arn = "arn:aws:lambda:\(r):\(a):function:\(entry.name)"
        case let topic as Topic:
            entry.name = topic.topicName ?? id
            entry.arn = "arn:aws:sns:\(r):\(a):\(entry.name)"
        case let bucket as Bucket:
            entry.name = bucket.bucketName ?? id.lowercased()
            entry.arn = "arn:aws:s3:::\(entry.name)"
        case let identity as EmailIdentity:
            entry.name = identity.identity
            entry.arn = emailIdentityArn(identity.identity)
        case let parameter as Parameter:
            entry.name = parameter.path
            entry.arn = parameterArn(named: parameter.path)
        case is IdentityPool:
            entry.name = "\(r):\(uuid(for: "identity-pool/\(id)"))"
        case is EncryptionKey:
            entry.name = uuid(for: "key/\(id)")
            entry.arn = "arn:aws:kms:\(r):\(a):key/\(entry.name)"
        case let schedule as Schedule:
            entry.arn = schedule.runsOnScheduler ? "arn:aws:scheduler:\(r):\(a):schedule/default/\(id)" : "arn:aws:events:\(r):\(a):rule/\(id)"
        case is RestAPI:
            entry.name = token(for: "api/\(id)", length: 10, alphabet: Self.lowercaseAlphanumerics)
            entry.arn = "arn:aws:apigateway:\(r)::/restapis/\(entry.name)"
        case is Distribution:
            entry.name = "E" + token(for: "distribution/\(id)", length: 13, alphabet: Self.uppercaseAlphanumerics)
            entry.arn = "arn:aws:cloudfront::\(a):distribution/\(entry.name)"
        case is WebACL:
            entry.arn = "arn:aws:wafv2:\(r):\(a):regional/webacl/\(id)/\(uuid(for: "webacl/\(id)"))"
        case is IPSet:
            entry.arn = "arn:aws:wafv2:\(r):\(a):regional/ipset/\(id)/\(uuid(for: "ipset/\(id)"))"
        case is Alarm:
            entry.arn = "arn:aws:cloudwatch:\(r):\(a):alarm:\(id)"
        default:
            break
        }
        return entry
    }

    static let alphanumerics = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    static let lowercaseAlphanumerics = Array("abcdefghijklmnopqrstuvwxyz0123456789")
    static let uppercaseAlphanumerics = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    /// A stable id of `length` characters from `alphabet`, derived from the seed and `purpose`.
    func token(for purpose: String, length: Int, alphabet: [Character]) -> String {
        var bytes: [UInt8] = []
        var counter = 0
        while bytes.count < length {
            bytes += SHA256.hash(data: Data("\(seed)/\(purpose)/\(counter)".utf8))
            counter += 1
        }
        return String(bytes.prefix(length).map { alphabet[Int($0) % alphabet.count] })
    }

    /// A stable UUID derived from the seed and `purpose`.
    func uuid(for purpose: String) -> String {
        var bytes = Array(SHA256.hash(data: Data("\(seed)/\(purpose)".utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let uuid = UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13],
                bytes[14], bytes[15]
            ))
        return uuid.uuidString.lowercased()
    }
}
