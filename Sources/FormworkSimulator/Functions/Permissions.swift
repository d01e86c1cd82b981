import Formwork
import FormworkRuntime
import Foundation

/// What one function may do: its grants, read through the one action table that also writes
/// its IAM policy, and how IAM names the caller and the resources in a denial.
struct Permissions: Sendable {
    let function: Function
    let architecture: Architecture
    let naming: LocalResources

    /// `nil` when a grant allows `action` on the resource (or on its `index`), or a statement
    /// beyond the grants allows it on the resource's ARN; otherwise IAM's denial message.
    func denial(_ action: String, on resource: ResourceID?, arn: String, index: String? = nil) -> String? {
        if let resource, function.grants.contains(where: { $0.allows(action, on: resource, index: index) }) { return nil }
        let target = index.map { "\(arn)/index/\($0)" } ?? arn
        if function.extraStatements.contains(where: { $0.allows(action, arn: target) }) { return nil }
        return "User: \(naming.assumedRoleArn(function)) is not authorized to perform: \(action) on resource: \(target) "
            + "because no identity-based policy allows the \(action) action"
    }

    /// The model's table served under `name`, and its ARN.
    func table(named name: String) -> (id: ResourceID?, arn: String) {
        let table = architecture.resources(of: Table.self).first { naming.tableName($0) == name }
        return (table?.id, naming.tableArn(named: name))
    }

    /// The model's user pool with the id `poolId`, and its ARN.
    func userPool(id poolId: String) -> (id: ResourceID?, arn: String) {
        let pool = architecture.resources(of: UserPool.self).first { naming.userPoolId($0) == poolId }
        return (pool?.id, naming.userPoolArn(id: poolId))
    }

    /// The model's parameter named `name` (its path), and its ARN.
    func parameter(named name: String) -> (id: ResourceID?, arn: String) {
        let parameter = architecture.resources(of: Parameter.self).first { $0.path == name }
        return (parameter?.id, naming.parameterArn(named: name))
    }

    /// The model's topic with the ARN `arn`.
    func topic(arn: String) -> ResourceID? {
        architecture.resources(of: Topic.self).first { naming.arn(of: $0.id, in: architecture) == arn }?.id
    }

    /// The model's e-mail identity that sends as `address` (the address itself, or its domain).
    func emailIdentity(sending address: String) -> (id: ResourceID?, arn: String) {
        let identity = architecture.resources(of: EmailIdentity.self).first { $0.covers(address) }
        return (identity?.id, naming.emailIdentityArn(identity?.identity ?? EmailIdentity.address(in: address)))
    }
}

/// A function's tables: the simulated DynamoDB, every call checked against the function's grants.
struct GrantedTables: TableClient {
    let tables: TableService
    let permissions: Permissions

    private func check(_ action: String, _ table: String, index: String? = nil) throws {
        let (id, arn) = permissions.table(named: table)
        if let message = permissions.denial(action, on: id, arn: arn, index: index) { throw TableError.accessDenied(message) }
    }

    func putItem(table: String, item: TableItem, condition: ConditionExpression?) async throws {
        try check("dynamodb:PutItem", table)
        try await tables.putItem(table: table, item: item, condition: condition)
    }

    func getItem(table: String, key: TableItem, consistentRead: Bool, projection: ProjectionExpression?) async throws -> TableItem? {
        try check("dynamodb:GetItem", table)
        return try await tables.getItem(table: table, key: key, consistentRead: consistentRead, projection: projection)
    }

    func updateItem(
        table: String, key: TableItem, update: UpdateExpression, condition: ConditionExpression?, returnValues: ReturnValues
    ) async throws -> TableItem? {
        try check("dynamodb:UpdateItem", table)
        return try await tables.updateItem(table: table, key: key, update: update, condition: condition, returnValues: returnValues)
    }

    func deleteItem(table: String, key: TableItem, condition: ConditionExpression?, returnValues: ReturnValues) async throws -> TableItem? {
        try check("dynamodb:DeleteItem", table)
        return try await tables.deleteItem(table: table, key: key, condition: condition, returnValues: returnValues)
    }

    func query(table: String, _ request: QueryRequest) async throws -> QueryResult {
        try check("dynamodb:Query", table, index: request.indexName)
        return try await tables.query(table: table, request)
    }

    func scan(table: String, _ request: ScanRequest) async throws -> ScanResult {
        try check("dynamodb:Scan", table, index: request.indexName)
        return try await tables.scan(table: table, request)
    }

    func transactWrite(_ items: [TransactWriteItem]) async throws {
        for item in items {
            switch item {
            case .put(let table, _, _): try check("dynamodb:PutItem", table)
            case .update(let table, _, _, _): try check("dynamodb:UpdateItem", table)
            case .delete(let table, _, _): try check("dynamodb:DeleteItem", table)
            case .conditionCheck(let table, _, _): try check("dynamodb:ConditionCheckItem", table)
            }
        }
        try await tables.transactWrite(items)
    }

    func batchGet(_ requests: [String: BatchGetRequest]) async throws -> BatchGetResult {
        for table in requests.keys.sorted() { try check("dynamodb:BatchGetItem", table) }
        return try await tables.batchGet(requests)
    }

    func batchWrite(_ requests: [String: [WriteRequest]]) async throws -> BatchWriteResult {
        for table in requests.keys.sorted() { try check("dynamodb:BatchWriteItem", table) }
        return try await tables.batchWrite(requests)
    }
}

/// A function's user directory: the simulated user pools, every call checked against its grants.
struct GrantedDirectory: UserDirectoryClient {
    let directory: any UserDirectoryClient
    let permissions: Permissions

    private func check(_ operation: String, _ poolId: String) throws {
        let (id, arn) = permissions.userPool(id: poolId)
        if let message = permissions.denial("cognito-idp:\(operation)", on: id, arn: arn) {
            throw DirectoryError.other(code: "AccessDeniedException", message: message)
        }
    }

    func adminCreateUser(
        userPoolId: String, username: String, attributes: [String: String], temporaryPassword: String?, suppressInvitation: Bool
    ) async throws -> DirectoryUser {
        try check("AdminCreateUser", userPoolId)
        return try await directory.adminCreateUser(
            userPoolId: userPoolId, username: username, attributes: attributes, temporaryPassword: temporaryPassword,
            suppressInvitation: suppressInvitation)
    }

    func adminGetUser(userPoolId: String, username: String) async throws -> DirectoryUser {
        try check("AdminGetUser", userPoolId)
        return try await directory.adminGetUser(userPoolId: userPoolId, username: username)
    }

    func adminUpdateUserAttributes(userPoolId: String, username: String, attributes: [String: String]) async throws {
        try check("AdminUpdateUserAttributes", userPoolId)
        try await directory.adminUpdateUserAttributes(userPoolId: userPoolId, username: username, attributes: attributes)
    }

    func adminAddUserToGroup(userPoolId: String, username: String, groupName: String) async throws {
        try check("AdminAddUserToGroup", userPoolId)
        try await directory.adminAddUserToGroup(userPoolId: userPoolId, username: username, groupName: groupName)
    }

    func adminRemoveUserFromGroup(userPoolId: String, username: String, groupName: String) async throws {
        try check("AdminRemoveUserFromGroup", userPoolId)
        try await directory.adminRemoveUserFromGroup(userPoolId: userPoolId, username: username, groupName: groupName)
    }

    func adminListGroupsForUser(userPoolId: String, username: String) async throws -> [String] {
        try check("AdminListGroupsForUser", userPoolId)
        return try await directory.adminListGroupsForUser(userPoolId: userPoolId, username: username)
    }

    func adminDisableUser(userPoolId: String, username: String) async throws {
        try check("AdminDisableUser", userPoolId)
        try await directory.adminDisableUser(userPoolId: userPoolId, username: username)
    }

    func adminEnableUser(userPoolId: String, username: String) async throws {
        try check("AdminEnableUser", userPoolId)
        try await directory.adminEnableUser(userPoolId: userPoolId, username: username)
    }

    func listUsers(userPoolId: String, filter: String?, limit: Int?, paginationToken: String?) async throws -> UserPage {
        try check("ListUsers", userPoolId)
        return try await directory.listUsers(userPoolId: userPoolId, filter: filter, limit: limit, paginationToken: paginationToken)
    }
}
