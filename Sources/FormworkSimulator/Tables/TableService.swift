import Formwork
import FormworkRuntime
import Foundation

/// The simulated DynamoDB: the blueprint's tables with DynamoDB's semantics, stored in SQLite.
///
/// It is the ``TableClient`` handlers receive in the simulator, and the backend of the
/// DynamoDB wire API that SDKs and the AWS CLI call.
///
/// ```swift
/// let tables = try TableService(architecture: architecture, store: .inMemory())
/// try await tables.putItem(table: "taskmgmt-dev-tasks", item: ["taskId": "t1"])
/// ```
public final class TableService: TableClient, Sendable {
    let engine: TableEngine
    /// The region named in the tables' ARNs.
    public let region: String

    /// The tables of an architecture, in a store.
    public convenience init(architecture: Architecture, store: TableStore, region: String = "us-east-1") throws {
        try self.init(schemas: architecture.resources(of: Table.self).map(TableSchema.init), store: store, region: region)
    }

    /// Tables with explicit schemas. Stored index entries are rebuilt when the indexes changed
    /// since the store was last used; a changed key schema over stored items is an error.
    public init(schemas: [TableSchema], store: TableStore, region: String = "us-east-1") throws {
        try store.reconcile(schemas)
        engine = TableEngine(store: store, schemas: schemas)
        self.region = region
    }

    /// Deletes the items whose TTL passed by `now`, as DynamoDB's TTL process does; returns
    /// how many went.
    @discardableResult
    public func deleteExpiredItems(now: Date) async throws -> Int {
        try await engine.store.deleteExpired(Array(engine.schemas.values), now: now)
    }

    /// The schemas, by table name.
    public var schemas: [TableSchema] { engine.schemas.values.sorted { $0.name < $1.name } }

    public func putItem(table: String, item: TableItem, condition: ConditionExpression?) async throws {
        _ = try await Self.client { try await engine.put(table: table, item: item, expressions: Self.expressions(condition: condition), returnValues: .none) }
    }

    public func getItem(table: String, key: TableItem, consistentRead: Bool, projection: ProjectionExpression?) async throws -> TableItem? {
        var expressions = RequestExpressions()
        if let projection {
            expressions.projection = projection.expression
            expressions.names = projection.names
        }
        return try await engine.get(table: table, key: key, expressions: expressions)
    }

    @discardableResult
    public func updateItem(
        table: String, key: TableItem, update: UpdateExpression, condition: ConditionExpression?,
        returnValues: ReturnValues
    ) async throws -> TableItem? {
        var expressions = try Self.expressions(condition: condition)
        expressions.update = update.expression
        try Self.merge(&expressions, names: update.names, values: update.values)
        return try await Self.client { try await engine.update(table: table, key: key, expressions: expressions, returnValues: returnValues) }
    }

    @discardableResult
    public func deleteItem(table: String, key: TableItem, condition: ConditionExpression?, returnValues: ReturnValues) async throws -> TableItem? {
        try await Self.client {
            try await engine.delete(table: table, key: key, expressions: Self.expressions(condition: condition), returnValues: returnValues)
        }
    }

    public func query(table: String, _ request: QueryRequest) async throws -> QueryResult {
        var read = ReadRequest(
            indexName: request.indexName, limit: request.limit, exclusiveStartKey: request.exclusiveStartKey,
            forward: request.scanIndexForward, consistentRead: request.consistentRead, select: request.select)
        read.expressions = RequestExpressions(
            projection: request.projectionExpression, filter: request.filterExpression,
            keyCondition: request.keyConditionExpression,
            names: request.expressionAttributeNames, values: request.expressionAttributeValues)
        return Self.result(try await engine.query(table: table, read))
    }

    public func scan(table: String, _ request: ScanRequest) async throws -> ScanResult {
        var read = ReadRequest(
            indexName: request.indexName, limit: request.limit, exclusiveStartKey: request.exclusiveStartKey,
            consistentRead: request.consistentRead, select: request.select, segment: request.segment,
            totalSegments: request.totalSegments)
        read.expressions = RequestExpressions(
            projection: request.projectionExpression, filter: request.filterExpression,
            names: request.expressionAttributeNames, values: request.expressionAttributeValues)
        return Self.result(try await engine.scan(table: table, read))
    }

    public func transactWrite(_ items: [TransactWriteItem]) async throws {
        var actions: [TransactAction] = []
        for item in items {
            switch item {
            case .put(let table, let value, let condition):
                actions.append(TransactAction(table: table, kind: .put(value), expressions: try Self.expressions(condition: condition)))
            case .update(let table, let key, let update, let condition):
                var expressions = try Self.expressions(condition: condition)
                expressions.update = update.expression
                try Self.merge(&expressions, names: update.names, values: update.values)
                actions.append(TransactAction(table: table, kind: .update(key: key), expressions: expressions))
            case .delete(let table, let key, let condition):
                actions.append(TransactAction(table: table, kind: .delete(key: key), expressions: try Self.expressions(condition: condition)))
            case .conditionCheck(let table, let key, let condition):
                actions.append(TransactAction(table: table, kind: .conditionCheck(key: key), expressions: try Self.expressions(condition: condition)))
            }
        }
        try await engine.transactWrite(actions)
    }

    public func batchGet(_ requests: [String: BatchGetRequest]) async throws -> BatchGetResult {
        let converted = requests.mapValues { request in
            (keys: request.keys, expressions: RequestExpressions(projection: request.projection?.expression, names: request.projection?.names ?? [:]))
        }
        return BatchGetResult(responses: try await engine.batchGet(converted), unprocessedKeys: [:])
    }

    public func batchWrite(_ requests: [String: [WriteRequest]]) async throws -> BatchWriteResult {
        let converted = requests.mapValues { writes in
            writes.map { write -> BatchWrite in
                switch write {
                case .put(let item): .put(item)
                case .delete(let key): .delete(key: key)
                }
            }
        }
        try await engine.batchWrite(converted)
        return BatchWriteResult(unprocessedItems: [:])
    }

    /// How many items a table holds (the console and benchmarks use it).
    public func count(table: String) async throws -> Int { try await engine.count(table: table) }

    /// Runs an engine call, reporting a failed condition as handlers see it.
    private static func client<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch is ConditionalCheckFailure { throw TableError.conditionalCheckFailed }
    }

    private static func expressions(condition: ConditionExpression?) throws -> RequestExpressions {
        var expressions = RequestExpressions()
        if let condition {
            expressions.condition = condition.expression
            expressions.names = condition.names
            expressions.values = condition.values
        }
        return expressions
    }

    /// Adds placeholders; the same placeholder bound to two different values is an error.
    private static func merge(_ expressions: inout RequestExpressions, names: [String: String], values: [String: AttributeValue]) throws {
        for (key, value) in names {
            if let existing = expressions.names[key], existing != value {
                throw TableError.validation("ExpressionAttributeNames contains conflicting definitions of \(key)")
            }
            expressions.names[key] = value
        }
        for (key, value) in values {
            if let existing = expressions.values[key], existing != value {
                throw TableError.validation("ExpressionAttributeValues contains conflicting definitions of \(key)")
            }
            expressions.values[key] = value
        }
    }

    private static func result(_ page: ReadPage) -> QueryResult {
        QueryResult(items: page.items, count: page.count, scannedCount: page.scannedCount, lastEvaluatedKey: page.lastEvaluatedKey)
    }
}

extension TableService: SimulatedService {
    var jsonProtocols: [any JSONProtocolService] { [DynamoDBProtocol(service: self, region: region)] }

    func runDue(at now: Date) async {
        _ = try? await deleteExpiredItems(now: now)
    }
}
