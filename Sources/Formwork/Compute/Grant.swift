/// Access a function is given to another resource, as a value.
///
/// One action table serves both uses of a grant: the emitter writes its actions into the
/// function's IAM policy, scoped to the target's ARN (and its indexes), and the simulator
/// checks every call a handler makes against the same actions.
///
/// ```swift
/// Function("TaskManagement", handler: TaskHandler.self)
///     .grants(.readWrite(tasks), .publish(notifications))
/// ```
public struct Grant: Sendable, Hashable {
    /// What kind of access is granted.
    public enum Access: String, Sendable, Hashable, CaseIterable {
        case tableRead = "read"
        case tableWrite = "write"
        case tableReadWrite = "readWrite"
        case topicPublish = "publish"
        case emailSend = "sendEmail"
        case usersAdmin = "adminUsers"
        case parameterRead = "readParameter"
    }

    /// The kind of access.
    public let access: Access
    /// The resource access is granted to.
    public let target: ResourceID
    /// Where the target was declared.
    public let targetLocation: SourceLocation
    /// Where the grant was written.
    public let location: SourceLocation

    init(_ access: Access, _ target: some Resource, _ location: SourceLocation) {
        self.access = access
        self.target = target.id
        self.targetLocation = target.location
        self.location = location
    }

    /// Reads items: get, batch get, query and scan, on the table and its indexes.
    public static func read(_ table: Table, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) -> Grant {
        Grant(.tableRead, table, SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column))
    }
    /// Writes items: put, update, delete, batch write.
    public static func write(_ table: Table, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) -> Grant {
        Grant(.tableWrite, table, SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column))
    }
    /// Reads and writes items, including transactions.
    public static func readWrite(_ table: Table, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) -> Grant {
        Grant(.tableReadWrite, table, SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column))
    }
    /// Publishes messages to a topic.
    public static func publish(_ topic: Topic, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) -> Grant {
        Grant(.topicPublish, topic, SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column))
    }
    /// Sends e-mail from a verified SES identity.
    public static func sendEmail(from identity: EmailIdentity, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column)
        -> Grant
    {
        Grant(.emailSend, identity, SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column))
    }
    /// Administers users of a pool: create, read, update, enable/disable, group membership, list.
    public static func adminUsers(_ pool: UserPool, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) -> Grant {
        Grant(.usersAdmin, pool, SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column))
    }
    /// Reads an SSM parameter.
    public static func readParameter(_ parameter: Parameter, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column)
        -> Grant
    {
        Grant(.parameterRead, parameter, SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column))
    }

    /// The resource kind each access applies to.
    public var expectedKind: ResourceKind {
        switch access {
        case .tableRead, .tableWrite, .tableReadWrite: .table
        case .topicPublish: .topic
        case .emailSend: .emailIdentity
        case .usersAdmin: .userPool
        case .parameterRead: .parameter
        }
    }

    /// The IAM actions on the target itself, sorted.
    public var actions: [String] { GrantActions.actions(for: access) }

    /// The IAM actions on the target's indexes (tables only), sorted.
    public var indexActions: [String] { GrantActions.indexActions(for: access) }

    /// The KMS actions needed when the target is encrypted with a customer-managed key, sorted.
    public var keyActions: [String] { GrantActions.keyActions(for: access) }

    /// Whether the grant allows `action` on its target (the simulator's permission check).
    public func allows(_ action: String, on resource: ResourceID, index: String? = nil) -> Bool {
        guard resource == target else { return false }
        return index == nil ? actions.contains(action) : indexActions.contains(action)
    }
}

/// The one action table behind every grant.
public enum GrantActions {
    static let tableRead = [
        "dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable",
        "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan",
    ]
    static let tableWrite = [
        "dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable",
        "dynamodb:PutItem", "dynamodb:UpdateItem",
    ]
    static let indexRead = ["dynamodb:Query", "dynamodb:Scan"]

    /// What every function may do besides its grants: write its own log group.
    public static let ownLogs = ["logs:CreateLogStream", "logs:PutLogEvents"]
    /// Send traces (X-Ray's write actions take no resource ARNs).
    public static let tracing = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
    /// Send failed asynchronous events to its dead-letter queue.
    public static let deadLetterQueue = ["sqs:SendMessage"]
    /// Use the key that encrypts its dead-letter queue.
    public static let deadLetterQueueKey = ["kms:Decrypt", "kms:GenerateDataKey"]

    /// The actions on the target.
    public static func actions(for access: Grant.Access) -> [String] {
        let actions: [String] =
            switch access {
            case .tableRead: tableRead
            case .tableWrite: tableWrite
            case .tableReadWrite: tableRead + tableWrite
            case .topicPublish: ["sns:Publish"]
            case .emailSend: ["ses:SendEmail", "ses:SendRawEmail"]
            case .usersAdmin:
                [
                    "cognito-idp:AdminAddUserToGroup", "cognito-idp:AdminCreateUser", "cognito-idp:AdminDisableUser",
                    "cognito-idp:AdminEnableUser", "cognito-idp:AdminGetUser", "cognito-idp:AdminListGroupsForUser",
                    "cognito-idp:AdminRemoveUserFromGroup", "cognito-idp:AdminUpdateUserAttributes", "cognito-idp:ListUsers",
                ]
            case .parameterRead: ["ssm:GetParameter", "ssm:GetParameters"]
            }
        return Array(Set(actions)).sorted()
    }

    /// The actions on the target's indexes.
    public static func indexActions(for access: Grant.Access) -> [String] {
        switch access {
        case .tableRead, .tableReadWrite: indexRead
        default: []
        }
    }

    /// The key actions needed on a customer-managed key that encrypts the target.
    public static func keyActions(for access: Grant.Access) -> [String] {
        switch access {
        case .tableRead, .parameterRead: ["kms:Decrypt", "kms:DescribeKey"]
        case .tableWrite, .tableReadWrite: ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]
        case .topicPublish: ["kms:Decrypt", "kms:GenerateDataKey"]
        case .emailSend, .usersAdmin: []
        }
    }
}
