import Formwork
import FormworkRuntime
import Foundation

/// The DynamoDB JSON 1.0 protocol over a ``TableService``: `X-Amz-Target:
/// DynamoDB_20120810.<Operation>`, bodies and errors as AWS sends them.
public struct DynamoDBProtocol: JSONProtocolService {
    /// The target prefix of DynamoDB requests.
    public static let targetPrefix = "DynamoDB_20120810."
    /// The content type of requests and responses.
    public static let contentType = "application/x-amz-json-1.0"

    let service: TableService
    let region: String
    let account: String

    /// Serves `service`'s tables, named in ARNs with `region` and `account`.
    public init(service: TableService, region: String = "us-east-1", account: String = "000000000000") {
        self.service = service
        self.region = region
        self.account = account
    }

    var targetPrefix: String { Self.targetPrefix }
    var contentType: String { Self.contentType }

    /// Answers one request. Never throws: every failure becomes DynamoDB's error body.
    public func handle(target: String, body: Data) async -> WireAnswer {
        let operation = target.hasPrefix(Self.targetPrefix) ? String(target.dropFirst(Self.targetPrefix.count)) : target
        return await handle(operation: operation, body: body, signed: true)
    }

    func handle(operation: String, body: Data, signed: Bool) async -> WireAnswer {
        do {
            let output = try await perform(operation, body.isEmpty ? Data("{}".utf8) : body)
            return WireAnswer(status: 200, body: try JSONSerialization.data(withJSONObject: output, options: [.sortedKeys, .withoutEscapingSlashes]))
        } catch let failure as ConditionalCheckFailure {
            var answer = Self.error(TableError.conditionalCheckFailed)
            if let item = failure.item, var body = (try? JSONSerialization.jsonObject(with: answer.body)) as? [String: Any] {
                body["Item"] = Self.json(item)
                answer.body = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? answer.body
            }
            return answer
        } catch let error as TableError {
            return Self.error(error)
        } catch let error as WireError {
            return Self.error(type: error.type, message: error.message)
        } catch is DecodingError {
            return Self.error(type: "com.amazon.coral.service#SerializationException", message: "Start of structure or map found where not expected.")
        } catch {
            return Self.error(type: "com.amazonaws.dynamodb.v20120810#InternalServerError", message: "\(error)")
        }
    }

    struct WireError: Error {
        var type: String
        var message: String

        static func unknownOperation(_ name: String) -> WireError {
            WireError(type: "com.amazon.coral.service#UnknownOperationException", message: "Unknown operation \(name)")
        }
    }

    private func perform(_ operation: String, _ body: Data) async throws -> [String: Any] {
        let decoder = JSONDecoder()
        switch operation {
        case "ListTables":
            let input = try decoder.decode(ListTablesInput.self, from: body)
            return listTables(input)
        case "DescribeTable":
            let name = try Self.required(try decoder.decode(TableNameInput.self, from: body).TableName, "tableName")
            return ["Table": try await describe(name)]
        case "DescribeTimeToLive":
            let name = try Self.required(try decoder.decode(TableNameInput.self, from: body).TableName, "tableName")
            let schema = try service.engine.schema(name)
            return [
                "TimeToLiveDescription": schema.timeToLiveAttribute.map { ["TimeToLiveStatus": "ENABLED", "AttributeName": $0] } ?? [
                    "TimeToLiveStatus": "DISABLED"
                ]
            ]
        case "CreateTable", "DeleteTable", "UpdateTable", "UpdateTimeToLive":
            throw TableError.validation("Tables come from the blueprint: \(operation) is not available in the simulator; change the blueprint instead")
        case "PutItem":
            let input = try decoder.decode(PutItemInput.self, from: body)
            try Self.rejectLegacy(input.Expected != nil ? "Expected" : nil)
            let expressions = RequestExpressions(
                condition: input.ConditionExpression, names: input.ExpressionAttributeNames ?? [:],
                values: input.ExpressionAttributeValues ?? [:])
            let old = try await service.engine.put(
                table: try Self.required(input.TableName, "tableName"), item: try Self.required(input.Item, "item"),
                expressions: expressions, returnValues: try Self.returnValues(input.ReturnValues),
                returnOldOnFailure: input.ReturnValuesOnConditionCheckFailure == "ALL_OLD")
            return old.map { ["Attributes": Self.json($0)] } ?? [:]
        case "GetItem":
            let input = try decoder.decode(KeyInput.self, from: body)
            try Self.rejectLegacy(input.AttributesToGet != nil ? "AttributesToGet" : nil)
            let expressions = RequestExpressions(projection: input.ProjectionExpression, names: input.ExpressionAttributeNames ?? [:])
            let item = try await service.engine.get(
                table: try Self.required(input.TableName, "tableName"), key: try Self.required(input.Key, "key"),
                expressions: expressions)
            return item.map { ["Item": Self.json($0)] } ?? [:]
        case "UpdateItem":
            let input = try decoder.decode(KeyInput.self, from: body)
            try Self.rejectLegacy(input.AttributeUpdates != nil ? "AttributeUpdates" : input.Expected != nil ? "Expected" : nil)
            let expressions = RequestExpressions(
                condition: input.ConditionExpression, update: input.UpdateExpression,
                names: input.ExpressionAttributeNames ?? [:], values: input.ExpressionAttributeValues ?? [:])
            let attributes = try await service.engine.update(
                table: try Self.required(input.TableName, "tableName"), key: try Self.required(input.Key, "key"),
                expressions: expressions, returnValues: try Self.returnValues(input.ReturnValues),
                returnOldOnFailure: input.ReturnValuesOnConditionCheckFailure == "ALL_OLD")
            return attributes.map { ["Attributes": Self.json($0)] } ?? [:]
        case "DeleteItem":
            let input = try decoder.decode(KeyInput.self, from: body)
            try Self.rejectLegacy(input.Expected != nil ? "Expected" : nil)
            let expressions = RequestExpressions(
                condition: input.ConditionExpression, names: input.ExpressionAttributeNames ?? [:],
                values: input.ExpressionAttributeValues ?? [:])
            let old = try await service.engine.delete(
                table: try Self.required(input.TableName, "tableName"), key: try Self.required(input.Key, "key"),
                expressions: expressions, returnValues: try Self.returnValues(input.ReturnValues),
                returnOldOnFailure: input.ReturnValuesOnConditionCheckFailure == "ALL_OLD")
            return old.map { ["Attributes": Self.json($0)] } ?? [:]
        case "Query", "Scan":
            let input = try decoder.decode(ReadInput.self, from: body)
            try Self.rejectLegacy(
                input.KeyConditions != nil
                    ? "KeyConditions"
                    : input.QueryFilter != nil
                        ? "QueryFilter"
                        : input.ScanFilter != nil ? "ScanFilter" : input.AttributesToGet != nil ? "AttributesToGet" : nil)
            var read = ReadRequest(
                indexName: input.IndexName, limit: input.Limit, exclusiveStartKey: input.ExclusiveStartKey,
                forward: input.ScanIndexForward ?? true, consistentRead: input.ConsistentRead ?? false,
                select: try input.Select.map(Self.select), segment: input.Segment, totalSegments: input.TotalSegments)
            read.expressions = RequestExpressions(
                projection: input.ProjectionExpression, filter: input.FilterExpression,
                keyCondition: input.KeyConditionExpression,
                names: input.ExpressionAttributeNames ?? [:], values: input.ExpressionAttributeValues ?? [:])
            let table = try Self.required(input.TableName, "tableName")
            let page = operation == "Query" ? try await service.engine.query(table: table, read) : try await service.engine.scan(table: table, read)
            var output: [String: Any] = ["Count": page.count, "ScannedCount": page.scannedCount]
            if !page.countOnly { output["Items"] = page.items.map { Self.json($0) } }
            if let key = page.lastEvaluatedKey { output["LastEvaluatedKey"] = Self.json(key) }
            return output
        case "TransactWriteItems":
            let input = try decoder.decode(TransactWriteInput.self, from: body)
            try await service.engine.transactWrite(try Self.required(input.TransactItems, "transactItems").map(Self.action))
            return [:]
        case "TransactGetItems":
            let input = try decoder.decode(TransactGetInput.self, from: body)
            let gets = try Self.required(input.TransactItems, "transactItems").map { item in
                let get = try Self.required(item.Get, "get")
                return (
                    table: try Self.required(get.TableName, "tableName"), key: try Self.required(get.Key, "key"),
                    expressions: RequestExpressions(projection: get.ProjectionExpression, names: get.ExpressionAttributeNames ?? [:])
                )
            }
            let items = try await service.engine.transactGet(gets)
            return ["Responses": items.map { item -> [String: Any] in item.map { ["Item": Self.json($0)] } ?? [:] }]
        case "BatchWriteItem":
            let input = try decoder.decode(BatchWriteInput.self, from: body)
            let requests = try Self.required(input.RequestItems, "requestItems").mapValues { writes in
                try writes.map { write -> BatchWrite in
                    if let put = write.PutRequest { return .put(try Self.required(put.Item, "item")) }
                    if let delete = write.DeleteRequest { return .delete(key: try Self.required(delete.Key, "key")) }
                    throw TableError.validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
                }
            }
            try await service.engine.batchWrite(requests)
            return ["UnprocessedItems": [String: Any]()]
        case "BatchGetItem":
            let input = try decoder.decode(BatchGetInput.self, from: body)
            let requests = try Self.required(input.RequestItems, "requestItems").mapValues { request in
                (
                    keys: try Self.required(request.Keys, "keys"),
                    expressions: RequestExpressions(projection: request.ProjectionExpression, names: request.ExpressionAttributeNames ?? [:])
                )
            }
            let responses = try await service.engine.batchGet(requests)
            return ["Responses": responses.mapValues { $0.map { Self.json($0) } }, "UnprocessedKeys": [String: Any]()]
        default:
            throw WireError.unknownOperation(operation)
        }
    }

    private func listTables(_ input: ListTablesInput) -> [String: Any] {
        var names = service.schemas.map(\.name)
        if let start = input.ExclusiveStartTableName { names = names.filter { $0 > start } }
        let limit = min(max(input.Limit ?? 100, 1), 100)
        var output: [String: Any] = ["TableNames": Array(names.prefix(limit))]
        if names.count > limit, let last = names.prefix(limit).last { output["LastEvaluatedTableName"] = last }
        return output
    }

    private func describe(_ name: String) async throws -> [String: Any] {
        let schema = try service.engine.schema(name)
        let arn = "arn:aws:dynamodb:\(region):\(account):table/\(schema.name)"
        func keySchema(_ pk: KeyAttribute, _ sk: KeyAttribute?) -> [[String: String]] {
            [["AttributeName": pk.name, "KeyType": "HASH"]] + (sk.map { [["AttributeName": $0.name, "KeyType": "RANGE"]] } ?? [])
        }
        let count = try await service.count(table: name)
        var table: [String: Any] = [
            "TableName": schema.name, "TableStatus": "ACTIVE", "TableArn": arn, "TableId": schema.logicalID,
            "KeySchema": keySchema(schema.partitionKey, schema.sortKey),
            "AttributeDefinitions": schema.keyAttributes.sorted { $0.name < $1.name }.map { ["AttributeName": $0.name, "AttributeType": $0.typeName] },
            "BillingModeSummary": ["BillingMode": "PAY_PER_REQUEST"],
            "ProvisionedThroughput": ["ReadCapacityUnits": 0, "WriteCapacityUnits": 0, "NumberOfDecreasesToday": 0],
            "ItemCount": count, "TableSizeBytes": 0, "CreationDateTime": 0,
        ]
        if !schema.indexes.isEmpty {
            table["GlobalSecondaryIndexes"] = schema.indexes.map { index -> [String: Any] in
                var projection: [String: Any] = ["ProjectionType": index.projection.typeName]
                if case .include(let attributes) = index.projection { projection["NonKeyAttributes"] = attributes }
                return [
                    "IndexName": index.name, "KeySchema": keySchema(index.partitionKey, index.sortKey), "Projection": projection,
                    "IndexStatus": "ACTIVE", "IndexArn": "\(arn)/index/\(index.name)", "ItemCount": 0, "IndexSizeBytes": 0,
                    "ProvisionedThroughput": ["ReadCapacityUnits": 0, "WriteCapacityUnits": 0, "NumberOfDecreasesToday": 0],
                ]
            }
        }
        return table
    }

    private static func action(_ item: TransactWriteInput.Item) throws -> TransactAction {
        let (action, kind): (TransactWriteInput.Item.Action, TransactAction.Kind)
        if let put = item.Put {
            (action, kind) = (put, .put(try required(put.Item, "item")))
        } else if let update = item.Update {
            (action, kind) = (update, .update(key: try required(update.Key, "key")))
        } else if let delete = item.Delete {
            (action, kind) = (delete, .delete(key: try required(delete.Key, "key")))
        } else if let check = item.ConditionCheck {
            (action, kind) = (check, .conditionCheck(key: try required(check.Key, "key")))
        } else {
            throw TableError.validation("TransactItems can only contain one of Check, Put, Update or Delete")
        }
        return TransactAction(
            table: try required(action.TableName, "tableName"), kind: kind,
            expressions: RequestExpressions(
                condition: action.ConditionExpression, update: action.UpdateExpression,
                names: action.ExpressionAttributeNames ?? [:], values: action.ExpressionAttributeValues ?? [:]),
            returnOldOnFailure: action.ReturnValuesOnConditionCheckFailure == "ALL_OLD")
    }

    private static func required<T>(_ value: T?, _ name: String) throws -> T {
        guard let value else {
            throw TableError.validation("1 validation error detected: Value null at '\(name)' failed to satisfy constraint: Member must not be null")
        }
        return value
    }

    private static func rejectLegacy(_ parameter: String?) throws {
        if let parameter {
            throw TableError.validation("The legacy parameter \(parameter) is not supported by the simulator; use the expression parameters instead")
        }
    }

    private static func returnValues(_ text: String?) throws -> ReturnValues {
        guard let text else { return .none }
        guard let value = ReturnValues(rawValue: text) else {
            throw TableError.validation(
                "1 validation error detected: Value '\(text)' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"
            )
        }
        return value
    }

    private static func select(_ text: String) throws -> Select {
        guard let value = Select(rawValue: text) else {
            throw TableError.validation(
                "1 validation error detected: Value '\(text)' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]"
            )
        }
        return value
    }

    /// An item as a JSON object in DynamoDB's attribute-value form, for JSONSerialization.
    static func json(_ item: TableItem) -> [String: Any] {
        item.mapValues(json)
    }

    static func json(_ value: AttributeValue) -> Any {
        switch value {
        case .string(let text): ["S": text]
        case .number(let text): ["N": text]
        case .binary(let data): ["B": data.base64EncodedString()]
        case .bool(let flag): ["BOOL": flag]
        case .null: ["NULL": true]
        case .map(let entries): ["M": entries.mapValues(json)]
        case .list(let items): ["L": items.map(json)]
        case .stringSet(let values): ["SS": values]
        case .numberSet(let values): ["NS": values]
        case .binarySet(let values): ["BS": values.map { $0.base64EncodedString() }]
        }
    }

    static func error(_ error: TableError) -> WireAnswer {
        let namespace = error.awsErrorCode == "ValidationException" ? "com.amazon.coral.validate" : "com.amazonaws.dynamodb.v20120810"
        var body: [String: Any] = ["__type": "\(namespace)#\(error.awsErrorCode)", "message": error.message]
        if case .transactionCanceled(let reasons) = error {
            body["Message"] = error.message
            body["CancellationReasons"] = reasons.map { reason -> [String: Any] in
                var entry: [String: Any] = ["Code": reason.code]
                if let message = reason.message { entry["Message"] = message }
                if let item = reason.item { entry["Item"] = json(item) }
                return entry
            }
        }
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
        return WireAnswer(status: 400, body: data)
    }

    static func error(type: String, message: String) -> WireAnswer {
        WireAnswer.error(status: type.hasSuffix("InternalServerError") ? 500 : 400, type: type, message: message)
    }
}
