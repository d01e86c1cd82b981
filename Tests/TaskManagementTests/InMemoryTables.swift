import Foundation
import FormworkRuntime

/// A table's key schema: a partition key, and global secondary indexes (which project
/// every attribute and leave out items without their keys).
struct FakeTableSchema: Sendable {
    struct Index: Sendable {
        var partitionKey: String
        var sortKey: String?
    }

    var partitionKey: String
    var indexes: [String: Index] = [:]
}

/// Tables in memory with DynamoDB's semantics for what the stores use: conditional puts,
/// updates and deletes, queries on indexes in sort-key order with `Limit`,
/// `ExclusiveStartKey` and filters, and scans. Expressions go through ``FakeExpressions``.
actor InMemoryTables: TableClient {
    private let schemas: [String: FakeTableSchema]
    private var tables: [String: [AttributeValue: TableItem]] = [:]

    init(schemas: [String: FakeTableSchema]) {
        self.schemas = schemas
    }

    /// Every item of `table`, by partition key.
    func items(in table: String) -> [TableItem] {
        guard let schema = schemas[table] else { return [] }
        return (tables[table] ?? [:]).values.sorted { sortKey($0[schema.partitionKey]) < sortKey($1[schema.partitionKey]) }
    }

    /// Puts `item` without any checks, as a test's starting state.
    func seed(_ table: String, _ item: TableItem) throws {
        let schema = try schema(table)
        guard let key = item[schema.partitionKey] else { throw TableError.validation("missing key") }
        tables[table, default: [:]][key] = item
    }

    // MARK: - TableClient

    func putItem(table: String, item: TableItem, condition: ConditionExpression?) async throws {
        let schema = try schema(table)
        try validateKeys(of: item, schema)
        guard let key = item[schema.partitionKey] else { throw TableError.validation("missing key") }
        try check(condition, on: tables[table]?[key])
        tables[table, default: [:]][key] = item
    }

    func getItem(
        table: String, key: TableItem, consistentRead: Bool, projection: ProjectionExpression?
    ) async throws -> TableItem? {
        let keyValue = try keyValue(key, schema(table))
        return tables[table]?[keyValue]
    }

    func updateItem(
        table: String, key: TableItem, update: UpdateExpression, condition: ConditionExpression?,
        returnValues: ReturnValues
    ) async throws -> TableItem? {
        let schema = try schema(table)
        let keyValue = try keyValue(key, schema)
        let old = tables[table]?[keyValue]
        var names = update.names
        var values = update.values
        if let condition {
            var merged = update.attributes
            try merged.merge(condition.attributes)
            names = merged.names
            values = merged.values
        }
        try FakeExpressions.checkPlaceholders(
            [update.expression, condition?.expression ?? ""], names: names, values: values)
        if let condition {
            guard try FakeExpressions.holds(condition.expression, on: old, names: names, values: values) else {
                throw TableError.conditionalCheckFailed
            }
        }
        var new = old ?? key
        try FakeExpressions.apply(update, to: &new)
        try validateKeys(of: new, schema)
        tables[table, default: [:]][keyValue] = new
        switch returnValues {
        case .none: return nil
        case .allOld, .updatedOld: return old
        case .allNew, .updatedNew: return new
        }
    }

    func deleteItem(
        table: String, key: TableItem, condition: ConditionExpression?, returnValues: ReturnValues
    ) async throws -> TableItem? {
        let keyValue = try keyValue(key, schema(table))
        let old = tables[table]?[keyValue]
        try check(condition, on: old)
        tables[table]?[keyValue] = nil
        return returnValues == .allOld ? old : nil
    }

    func query(table: String, _ request: QueryRequest) async throws -> QueryResult {
        let schema = try schema(table)
        try FakeExpressions.checkPlaceholders(
            [request.keyConditionExpression, request.filterExpression ?? ""],
            names: request.expressionAttributeNames, values: request.expressionAttributeValues)
        let index: FakeTableSchema.Index
        if let indexName = request.indexName {
            guard let found = schema.indexes[indexName] else {
                throw TableError.validation("The table does not have the specified index: \(indexName)")
            }
            index = found
        } else {
            index = .init(partitionKey: schema.partitionKey)
        }
        let condition = try FakeExpressions.keyCondition(
            request, partitionKey: index.partitionKey, sortKey: index.sortKey)
        var matching = try (tables[table] ?? [:]).values.filter { item in
            guard item[index.partitionKey] == condition.partition else { return false }
            if let sortKey = index.sortKey, item[sortKey] == nil { return false }
            guard let sort = condition.sort, let sortKey = index.sortKey else { return true }
            return try FakeExpressions.compare(item[sortKey], sort.op, sort.value)
        }
        let order = { (item: TableItem) in
            [self.sortKey(index.sortKey.flatMap { item[$0] }), self.sortKey(item[schema.partitionKey])]
        }
        matching.sort { order($0).lexicographicallyPrecedes(order($1)) }
        if !request.scanIndexForward { matching.reverse() }

        if let start = request.exclusiveStartKey {
            guard start[index.partitionKey] == condition.partition, start[schema.partitionKey] != nil else {
                throw TableError.validation("The provided starting key is invalid")
            }
            let startOrder = order(start)
            matching = matching.filter {
                request.scanIndexForward
                    ? startOrder.lexicographicallyPrecedes(order($0))
                    : order($0).lexicographicallyPrecedes(startOrder)
            }
        }
        return try page(
            matching, limit: request.limit, filter: request.filterExpression,
            names: request.expressionAttributeNames, values: request.expressionAttributeValues
        ) { item in
            var key: TableItem = [schema.partitionKey: item[schema.partitionKey] ?? .null]
            key[index.partitionKey] = item[index.partitionKey]
            if let sortKey = index.sortKey { key[sortKey] = item[sortKey] }
            return key
        }
    }

    func scan(table: String, _ request: ScanRequest) async throws -> ScanResult {
        let schema = try schema(table)
        try FakeExpressions.checkPlaceholders(
            [request.filterExpression ?? ""], names: request.expressionAttributeNames,
            values: request.expressionAttributeValues)
        var all = items(in: table)
        if let start = request.exclusiveStartKey?[schema.partitionKey] {
            all = all.filter { sortKey(start) < sortKey($0[schema.partitionKey]) }
        }
        return try page(
            all, limit: request.limit, filter: request.filterExpression,
            names: request.expressionAttributeNames, values: request.expressionAttributeValues
        ) { [schema.partitionKey: $0[schema.partitionKey] ?? .null] }
    }

    func transactWrite(_ items: [TransactWriteItem]) async throws {
        throw TableError.validation("The in-memory table does not support TransactWriteItems")
    }

    func batchGet(_ requests: [String: BatchGetRequest]) async throws -> BatchGetResult {
        throw TableError.validation("The in-memory table does not support BatchGetItem")
    }

    func batchWrite(_ requests: [String: [WriteRequest]]) async throws -> BatchWriteResult {
        throw TableError.validation("The in-memory table does not support BatchWriteItem")
    }

    // MARK: - Helpers

    private func schema(_ table: String) throws -> FakeTableSchema {
        guard let schema = schemas[table] else { throw TableError.resourceNotFound("Requested resource not found: \(table)") }
        return schema
    }

    private func keyValue(_ key: TableItem, _ schema: FakeTableSchema) throws -> AttributeValue {
        guard key.count == 1, let value = key[schema.partitionKey] else {
            throw TableError.validation("The provided key element does not match the schema")
        }
        return value
    }

    /// DynamoDB refuses empty strings as table or index key values.
    private func validateKeys(of item: TableItem, _ schema: FakeTableSchema) throws {
        var keys = [schema.partitionKey]
        for index in schema.indexes.values { keys += [index.partitionKey] + (index.sortKey.map { [$0] } ?? []) }
        for key in keys where item[key] == .string("") {
            throw TableError.validation("One or more parameter values are not valid: empty string for key \(key)")
        }
        guard item[schema.partitionKey] != nil else { throw TableError.validation("Missing the key \(schema.partitionKey)") }
    }

    private func check(_ condition: ConditionExpression?, on item: TableItem?) throws {
        guard let condition else { return }
        try FakeExpressions.checkPlaceholders([condition.expression], names: condition.names, values: condition.values)
        guard try FakeExpressions.holds(condition.expression, on: item, names: condition.names, values: condition.values)
        else { throw TableError.conditionalCheckFailed }
    }

    /// Reads up to `limit` items, then filters them; the last key read is where the next
    /// page starts, when anything is left.
    private func page(
        _ items: [TableItem], limit: Int?, filter: String?, names: [String: String],
        values: [String: AttributeValue], key: (TableItem) -> TableItem
    ) throws -> QueryResult {
        let read = limit.map { Array(items.prefix($0)) } ?? items
        let kept = try read.filter { item in
            guard let filter else { return true }
            return try FakeExpressions.holds(filter, on: item, names: names, values: values)
        }
        let lastKey = read.count < items.count ? read.last.map(key) : nil
        return QueryResult(items: kept, scannedCount: read.count, lastEvaluatedKey: lastKey)
    }

    /// A text that orders strings as strings and numbers as numbers.
    private nonisolated func sortKey(_ value: AttributeValue?) -> String {
        switch value {
        case .string(let text): "S" + text
        case .number(let text): "N" + String(format: "%030.6f", Double(text) ?? 0)
        default: ""
        }
    }
}
