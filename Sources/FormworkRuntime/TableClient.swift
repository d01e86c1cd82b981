import Foundation

/// DynamoDB operations on named tables. The simulator implements it in-process (with the
/// function's grants checked); a deployed function gets one backed by DynamoDB.
///
/// Every method throws ``TableError``.
///
/// ```swift
/// try await services.tables.putItem(table: tableName, item: item,
///                                    condition: .attributeNotExists("taskId"))
/// ```
public protocol TableClient: Sendable {
    /// `PutItem`: creates or replaces an item, if `condition` holds.
    func putItem(table: String, item: TableItem, condition: ConditionExpression?) async throws

    /// `GetItem`: the item with `key`, or `nil`.
    func getItem(
        table: String,
        key: TableItem,
        consistentRead: Bool,
        projection: ProjectionExpression?
    ) async throws -> TableItem?

    /// `UpdateItem`: changes (or creates) the item with `key`, if `condition` holds. The
    /// update's and the condition's placeholders are merged with
    /// ``ExpressionAttributes/merge(_:)``.
    @discardableResult
    func updateItem(
        table: String,
        key: TableItem,
        update: UpdateExpression,
        condition: ConditionExpression?,
        returnValues: ReturnValues
    ) async throws -> TableItem?

    /// `DeleteItem`: removes the item with `key`, if `condition` holds.
    @discardableResult
    func deleteItem(
        table: String,
        key: TableItem,
        condition: ConditionExpression?,
        returnValues: ReturnValues
    ) async throws -> TableItem?

    /// `Query`: one page of the items of one partition.
    func query(table: String, _ request: QueryRequest) async throws -> QueryResult

    /// `Scan`: one page of all items.
    func scan(table: String, _ request: ScanRequest) async throws -> ScanResult

    /// `TransactWriteItems`: all actions or none.
    func transactWrite(_ items: [TransactWriteItem]) async throws

    /// `BatchGetItem`: items from several tables by key (table name → request).
    func batchGet(_ requests: [String: BatchGetRequest]) async throws -> BatchGetResult

    /// `BatchWriteItem`: puts and deletes in several tables (table name → writes).
    func batchWrite(_ requests: [String: [WriteRequest]]) async throws -> BatchWriteResult
}

extension TableClient {
    /// `PutItem` without a condition.
    public func putItem(table: String, item: TableItem) async throws {
        try await putItem(table: table, item: item, condition: nil)
    }

    /// `GetItem` with an eventually consistent read of every attribute.
    public func getItem(table: String, key: TableItem) async throws -> TableItem? {
        try await getItem(table: table, key: key, consistentRead: false, projection: nil)
    }

    /// `DeleteItem` without a condition, returning nothing.
    public func deleteItem(table: String, key: TableItem) async throws {
        try await deleteItem(table: table, key: key, condition: nil, returnValues: .none)
    }

    /// Every page of a query, concatenated; follows ``QueryResult/lastEvaluatedKey``.
    public func queryAll(table: String, _ request: QueryRequest) async throws -> [TableItem] {
        try await collectPages(startingAt: request.exclusiveStartKey) { startKey in
            var page = request
            page.exclusiveStartKey = startKey
            return try await query(table: table, page)
        }
    }

    /// Every page of a scan, concatenated; follows ``QueryResult/lastEvaluatedKey``.
    public func scanAll(table: String, _ request: ScanRequest = ScanRequest()) async throws -> [TableItem] {
        try await collectPages(startingAt: request.exclusiveStartKey) { startKey in
            var page = request
            page.exclusiveStartKey = startKey
            return try await scan(table: table, page)
        }
    }

    private func collectPages(
        startingAt firstKey: TableItem?,
        _ fetch: (TableItem?) async throws -> QueryResult
    ) async throws -> [TableItem] {
        var items: [TableItem] = []
        var startKey = firstKey
        repeat {
            let page = try await fetch(startKey)
            items += page.items
            startKey = page.lastEvaluatedKey
        } while startKey != nil
        return items
    }
}
