import FormworkRuntime
import Foundation

/// ``TableClient`` over DynamoDB's JSON 1.0 protocol.
public struct DynamoDBTables: TableClient {
    let transport: AWSTransport

    /// A client that sends through `transport`.
    public init(transport: AWSTransport) {
        self.transport = transport
    }

    public func putItem(table: String, item: TableItem, condition: ConditionExpression?) async throws {
        var input: [String: Any] = ["TableName": table, "Item": WireJSON.plain(item)]
        try Self.add(condition?.expression, as: "ConditionExpression", attributes: condition?.attributes, to: &input)
        _ = try await call("PutItem", input)
    }

    public func getItem(table: String, key: TableItem, consistentRead: Bool, projection: ProjectionExpression?) async throws -> TableItem? {
        var input: [String: Any] = ["TableName": table, "Key": WireJSON.plain(key), "ConsistentRead": consistentRead]
        try Self.add(projection?.expression, as: "ProjectionExpression", attributes: projection.map { ExpressionAttributes(names: $0.names) }, to: &input)
        return try WireJSON.decode(TableItem.self, from: try await call("GetItem", input)["Item"])
    }

    public func updateItem(
        table: String, key: TableItem, update: UpdateExpression, condition: ConditionExpression?, returnValues: ReturnValues
    ) async throws -> TableItem? {
        var input: [String: Any] = ["TableName": table, "Key": WireJSON.plain(key), "ReturnValues": returnValues.rawValue]
        var attributes = update.attributes
        if let condition { try attributes.merge(condition.attributes) }
        input["UpdateExpression"] = update.expression
        try Self.add(condition?.expression, as: "ConditionExpression", attributes: attributes, to: &input)
        return try WireJSON.decode(TableItem.self, from: try await call("UpdateItem", input)["Attributes"])
    }

    public func deleteItem(table: String, key: TableItem, condition: ConditionExpression?, returnValues: ReturnValues) async throws -> TableItem? {
        var input: [String: Any] = ["TableName": table, "Key": WireJSON.plain(key), "ReturnValues": returnValues.rawValue]
        try Self.add(condition?.expression, as: "ConditionExpression", attributes: condition?.attributes, to: &input)
        return try WireJSON.decode(TableItem.self, from: try await call("DeleteItem", input)["Attributes"])
    }

    public func query(table: String, _ request: QueryRequest) async throws -> QueryResult {
        var input: [String: Any] = [
            "TableName": table, "KeyConditionExpression": request.keyConditionExpression, "ScanIndexForward": request.scanIndexForward,
            "ConsistentRead": request.consistentRead,
        ]
        input["FilterExpression"] = request.filterExpression
        input["ProjectionExpression"] = request.projectionExpression
        input["IndexName"] = request.indexName
        input["Limit"] = request.limit
        input["Select"] = request.select?.rawValue
        if let start = request.exclusiveStartKey { input["ExclusiveStartKey"] = WireJSON.plain(start) }
        Self.add(names: request.expressionAttributeNames, values: request.expressionAttributeValues, to: &input)
        return try Self.page(try await call("Query", input))
    }

    public func scan(table: String, _ request: ScanRequest) async throws -> ScanResult {
        var input: [String: Any] = ["TableName": table, "ConsistentRead": request.consistentRead]
        input["FilterExpression"] = request.filterExpression
        input["ProjectionExpression"] = request.projectionExpression
        input["IndexName"] = request.indexName
        input["Limit"] = request.limit
        input["Select"] = request.select?.rawValue
        input["Segment"] = request.segment
        input["TotalSegments"] = request.totalSegments
        if let start = request.exclusiveStartKey { input["ExclusiveStartKey"] = WireJSON.plain(start) }
        Self.add(names: request.expressionAttributeNames, values: request.expressionAttributeValues, to: &input)
        return try Self.page(try await call("Scan", input))
    }

    public func transactWrite(_ items: [TransactWriteItem]) async throws {
        let actions = try items.map { item -> [String: Any] in
            var action: [String: Any] = ["TableName": item.table]
            switch item {
            case .put(_, let value, let condition):
                action["Item"] = WireJSON.plain(value)
                try Self.add(condition?.expression, as: "ConditionExpression", attributes: condition?.attributes, to: &action)
                return ["Put": action]
            case .update(_, let key, let update, let condition):
                action["Key"] = WireJSON.plain(key)
                action["UpdateExpression"] = update.expression
                var attributes = update.attributes
                if let condition { try attributes.merge(condition.attributes) }
                try Self.add(condition?.expression, as: "ConditionExpression", attributes: attributes, to: &action)
                return ["Update": action]
            case .delete(_, let key, let condition):
                action["Key"] = WireJSON.plain(key)
                try Self.add(condition?.expression, as: "ConditionExpression", attributes: condition?.attributes, to: &action)
                return ["Delete": action]
            case .conditionCheck(_, let key, let condition):
                action["Key"] = WireJSON.plain(key)
                try Self.add(condition.expression, as: "ConditionExpression", attributes: condition.attributes, to: &action)
                return ["ConditionCheck": action]
            }
        }
        // The same token on a retry makes DynamoDB apply the transaction once.
        _ = try await call("TransactWriteItems", ["TransactItems": actions, "ClientRequestToken": UUID().uuidString])
    }

    public func batchGet(_ requests: [String: BatchGetRequest]) async throws -> BatchGetResult {
        let input = requests.mapValues { Self.batchGetInput($0) }
        let output = try await call("BatchGetItem", ["RequestItems": input])
        var responses: [String: [TableItem]] = [:]
        for (table, items) in output["Responses"] as? [String: Any] ?? [:] {
            responses[table] = try WireJSON.decode([TableItem].self, from: items) ?? []
        }
        var unprocessed: [String: BatchGetRequest] = [:]
        for (table, value) in output["UnprocessedKeys"] as? [String: Any] ?? [:] {
            guard let keys = try WireJSON.decode([TableItem].self, from: (value as? [String: Any])?["Keys"]), !keys.isEmpty else { continue }
            var request = requests[table] ?? BatchGetRequest(keys: [])
            request.keys = keys
            unprocessed[table] = request
        }
        return BatchGetResult(responses: responses, unprocessedKeys: unprocessed)
    }

    public func batchWrite(_ requests: [String: [WriteRequest]]) async throws -> BatchWriteResult {
        let input = requests.mapValues { writes in
            writes.map { write -> [String: Any] in
                switch write {
                case .put(let item): ["PutRequest": ["Item": WireJSON.plain(item)]]
                case .delete(let key): ["DeleteRequest": ["Key": WireJSON.plain(key)]]
                }
            }
        }
        let output = try await call("BatchWriteItem", ["RequestItems": input])
        var unprocessed: [String: [WriteRequest]] = [:]
        for (table, value) in output["UnprocessedItems"] as? [String: Any] ?? [:] {
            let writes = try (value as? [[String: Any]] ?? []).compactMap { entry -> WriteRequest? in
                if let put = entry["PutRequest"] as? [String: Any], let item = try WireJSON.decode(TableItem.self, from: put["Item"]) {
                    return .put(item: item)
                }
                if let delete = entry["DeleteRequest"] as? [String: Any], let key = try WireJSON.decode(TableItem.self, from: delete["Key"]) {
                    return .delete(key: key)
                }
                return nil
            }
            if !writes.isEmpty { unprocessed[table] = writes }
        }
        return BatchWriteResult(unprocessedItems: unprocessed)
    }

    // MARK: - Wire

    private func call(_ operation: String, _ input: [String: Any]) async throws -> [String: Any] {
        do {
            let answer = try await transport.send(
                .dynamoDB, headers: [("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Target", "DynamoDB_20120810.\(operation)")],
                body: WireJSON.data(input), errorCode: { $0.jsonError })
            return WireJSON.object(answer.body)
        } catch let error as AWSErrorAnswer {
            throw Self.tableError(error)
        }
    }

    static func tableError(_ error: AWSErrorAnswer) -> TableError {
        let mapped = TableError(awsErrorCode: error.code, message: error.message)
        guard case .transactionCanceled = mapped else { return mapped }
        let reasons = (try? WireJSON.decode([CancellationReason].self, from: WireJSON.object(error.body)["CancellationReasons"])) ?? nil
        return .transactionCanceled(reasons: reasons ?? [])
    }

    private static func batchGetInput(_ request: BatchGetRequest) -> [String: Any] {
        var input: [String: Any] = ["Keys": request.keys.map(WireJSON.plain), "ConsistentRead": request.consistentRead]
        if let projection = request.projection {
            input["ProjectionExpression"] = projection.expression
            if !projection.names.isEmpty { input["ExpressionAttributeNames"] = projection.names }
        }
        return input
    }

    private static func page(_ output: [String: Any]) throws -> QueryResult {
        let items = try WireJSON.decode([TableItem].self, from: output["Items"]) ?? []
        return QueryResult(
            items: items, count: output["Count"] as? Int ?? items.count, scannedCount: output["ScannedCount"] as? Int ?? items.count,
            lastEvaluatedKey: try WireJSON.decode(TableItem.self, from: output["LastEvaluatedKey"]))
    }

    private static func add(_ expression: String?, as name: String, attributes: ExpressionAttributes?, to input: inout [String: Any]) throws {
        if let expression { input[name] = expression }
        if let attributes { add(names: attributes.names, values: attributes.values, to: &input) }
    }

    private static func add(names: [String: String], values: [String: AttributeValue], to input: inout [String: Any]) {
        if !names.isEmpty { input["ExpressionAttributeNames"] = names }
        if !values.isEmpty { input["ExpressionAttributeValues"] = WireJSON.plain(values) }
    }
}
