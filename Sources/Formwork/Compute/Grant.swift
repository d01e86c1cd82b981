/// Access a function is given to another resource, as a value.
///
/// One action table serves both uses of a grant: the emitter writes its actions into the
/// function's IAM policy, scoped to the target's ARN (and its indexes), and the simulator
/// checks every call a handler makes against the same actions.
///
/// ```swift
/// Function("TaskManagement", handler: TaskHandler.self)
///     .grants(.readWrite(tasks), .publish(notifications))
///     .grants(.read(images, prefix: "thumbnails/"), .query(products.index("ByCategory")))
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
        case objectsRead = "readObjects"
        case objectsWrite = "writeObjects"
        case objectsReadWrite = "readWriteObjects"
        case indexQuery = "query"
    }

    /// The kind of access.
    public let access: Access
    /// The resource access is granted to.
    public let target: ResourceID
    /// Where the target was declared.
    public let targetLocation: SourceLocation
    /// Where the grant was written.
    public let location: SourceLocation
    /// For a bucket: the key prefix the grant is limited to (`nil`: every object).
    public let keyPrefix: String?
    /// For ``query(_:)``: the one index it allows.
    public let index: TableIndex?

    init(_ access: Access, _ target: some Resource, _ location: SourceLocation, keyPrefix: String? = nil) {
        self.access = access
        self.target = target.id
        self.targetLocation = target.location
        self.location = location
        self.keyPrefix = keyPrefix
        self.index = nil
    }

    init(query index: TableIndex, _ location: SourceLocation) {
        self.access = .indexQuery
        self.target = index.table
        self.targetLocation = index.tableLocation
        self.location = location
        self.keyPrefix = nil
        self.index = index
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

    /// Reads objects (`s3:GetObject`) and lists their keys, under `prefix` when one is given.
    public static func read(
        _ bucket: Bucket, prefix: String? = nil, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) -> Grant {
        Grant(.objectsRead, bucket, SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column), keyPrefix: prefix)
    }
    /// Writes (with tags) and deletes objects, under `prefix` when one is given.
    public static func write(
        _ bucket: Bucket, prefix: String? = nil, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) -> Grant {
        Grant(.objectsWrite, bucket, SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column), keyPrefix: prefix)
    }
    /// Reads, lists, writes and deletes objects, under `prefix` when one is given.
    public static func readWrite(
        _ bucket: Bucket, prefix: String? = nil, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) -> Grant {
        Grant(.objectsReadWrite, bucket, SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column), keyPrefix: prefix)
    }
    /// Queries one index of a table, and nothing else: `.query(products.index("ByCategory"))`.
    public static func query(_ index: TableIndex, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) -> Grant {
        Grant(query: index, SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column))
    }

    /// The resource kind each access applies to.
    public var expectedKind: ResourceKind {
        switch access {
        case .tableRead, .tableWrite, .tableReadWrite: .table
        case .topicPublish: .topic
        case .emailSend: .emailIdentity
        case .usersAdmin: .userPool
        case .parameterRead: .parameter
        case .objectsRead, .objectsWrite, .objectsReadWrite: .bucket
        case .indexQuery: .table
        }
    }

    /// How the grant reads in messages: `read on table 'Orders'`, `readObjects on bucket 'Images'
    /// (keys thumbnails/*)`, `query on table 'Products' (index ByCategory)`.
    public var summary: String {
        if let index { return "\(access.rawValue) on \(target) (index \(index.name))" }
        if let keyPrefix { return "\(access.rawValue) on \(target) (keys \(keyPrefix)*)" }
        return "\(access.rawValue) on \(target)"
    }

    /// The IAM actions on the target itself (a bucket's objects), sorted.
    public var actions: [String] { GrantActions.actions(for: access) }

    /// The IAM actions on the target's indexes (tables only; one index for ``query(_:)``), sorted.
    public var indexActions: [String] { GrantActions.indexActions(for: access) }

    /// The IAM actions on a bucket itself (listing keys), sorted.
    public var bucketActions: [String] { GrantActions.bucketActions(for: access) }

    /// The KMS actions needed when the target is encrypted with a customer-managed key, sorted.
    public var keyActions: [String] { GrantActions.keyActions(for: access) }

    /// Whether the grant allows `action` on its target (the simulator's permission check): on
    /// one of a table's indexes, or on a bucket's object `key` (within the prefix), or, with
    /// neither, on the target itself.
    public func allows(_ action: String, on resource: ResourceID, index: String? = nil, key: String? = nil) -> Bool {
        guard resource == target else { return false }
        if let index {
            return indexActions.contains(action) && (self.index == nil || self.index?.name == index)
        }
        if let key { return actions.contains(action) && key.hasPrefix(keyPrefix ?? "") }
        return target.kind == .bucket ? bucketActions.contains(action) : actions.contains(action)
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
    static let objectsRead = ["s3:GetObject"]
    static let objectsWrite = ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:PutObject", "s3:PutObjectTagging"]

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
            case .objectsRead: objectsRead
            case .objectsWrite: objectsWrite
            case .objectsReadWrite: objectsRead + objectsWrite
            case .indexQuery: []
            }
        return Array(Set(actions)).sorted()
    }

    /// The actions on a bucket itself: listing keys, for grants that read.
    public static func bucketActions(for access: Grant.Access) -> [String] {
        switch access {
        case .objectsRead, .objectsReadWrite: ["s3:ListBucket"]
        default: []
        }
    }

    /// The actions on the target's indexes.
    public static func indexActions(for access: Grant.Access) -> [String] {
        switch access {
        case .tableRead, .tableReadWrite: indexRead
        case .indexQuery: ["dynamodb:Query"]
        default: []
        }
    }

    /// The key actions needed on a customer-managed key that encrypts the target.
    public static func keyActions(for access: Grant.Access) -> [String] {
        switch access {
        case .tableRead, .parameterRead, .indexQuery: ["kms:Decrypt", "kms:DescribeKey"]
        case .tableWrite, .tableReadWrite: ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]
        case .topicPublish: ["kms:Decrypt", "kms:GenerateDataKey"]
        case .objectsRead: ["kms:Decrypt"]
        case .objectsWrite, .objectsReadWrite: ["kms:Decrypt", "kms:GenerateDataKey"]
        case .emailSend, .usersAdmin: []
        }
    }
}

/// One global secondary index of a table, by name, as a value: `products.index("ByCategory")`.
/// Validation checks the name against the table's declared indexes, at the line that names it;
/// a grant (``Grant/query(_:)``) or an environment variable can then use it.
public struct TableIndex: Sendable, Hashable {
    /// The table.
    public let table: ResourceID
    /// Where the table was declared.
    public let tableLocation: SourceLocation
    /// The index's name.
    public let name: String
    /// Where the index was named.
    public let location: SourceLocation
}
