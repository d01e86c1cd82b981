import FormworkRuntime
import Foundation

// Request and response shapes of the DynamoDB JSON 1.0 protocol, named as AWS names them.
// Fields a shape does not list (ReturnConsumedCapacity, ...) are accepted and ignored.

struct TableNameInput: Decodable {
    var TableName: String?
}

struct PutItemInput: Decodable {
    var TableName: String?
    var Item: TableItem?
    var ConditionExpression: String?
    var ExpressionAttributeNames: [String: String]?
    var ExpressionAttributeValues: [String: AttributeValue]?
    var ReturnValues: String?
    var ReturnValuesOnConditionCheckFailure: String?
    var Expected: AnyJSON?
}

struct KeyInput: Decodable {
    var TableName: String?
    var Key: TableItem?
    var ConditionExpression: String?
    var UpdateExpression: String?
    var ProjectionExpression: String?
    var ExpressionAttributeNames: [String: String]?
    var ExpressionAttributeValues: [String: AttributeValue]?
    var ReturnValues: String?
    var ReturnValuesOnConditionCheckFailure: String?
    var ConsistentRead: Bool?
    var AttributesToGet: AnyJSON?
    var AttributeUpdates: AnyJSON?
    var Expected: AnyJSON?
}

struct ReadInput: Decodable {
    var TableName: String?
    var IndexName: String?
    var KeyConditionExpression: String?
    var FilterExpression: String?
    var ProjectionExpression: String?
    var ExpressionAttributeNames: [String: String]?
    var ExpressionAttributeValues: [String: AttributeValue]?
    var Limit: Int?
    var ExclusiveStartKey: TableItem?
    var ScanIndexForward: Bool?
    var ConsistentRead: Bool?
    var Select: String?
    var Segment: Int?
    var TotalSegments: Int?
    var KeyConditions: AnyJSON?
    var QueryFilter: AnyJSON?
    var ScanFilter: AnyJSON?
    var AttributesToGet: AnyJSON?
}

struct TransactWriteInput: Decodable {
    struct Item: Decodable {
        struct Action: Decodable {
            var TableName: String?
            var Item: TableItem?
            var Key: TableItem?
            var ConditionExpression: String?
            var UpdateExpression: String?
            var ExpressionAttributeNames: [String: String]?
            var ExpressionAttributeValues: [String: AttributeValue]?
            var ReturnValuesOnConditionCheckFailure: String?
        }
        var Put: Action?
        var Update: Action?
        var Delete: Action?
        var ConditionCheck: Action?
    }
    var TransactItems: [Item]?
}

struct TransactGetInput: Decodable {
    struct Item: Decodable {
        struct Get: Decodable {
            var TableName: String?
            var Key: TableItem?
            var ProjectionExpression: String?
            var ExpressionAttributeNames: [String: String]?
        }
        var Get: Get?
    }
    var TransactItems: [Item]?
}

struct BatchWriteInput: Decodable {
    struct Write: Decodable {
        struct Put: Decodable { var Item: TableItem? }
        struct Delete: Decodable { var Key: TableItem? }
        var PutRequest: Put?
        var DeleteRequest: Delete?
    }
    var RequestItems: [String: [Write]]?
}

struct BatchGetInput: Decodable {
    struct Request: Decodable {
        var Keys: [TableItem]?
        var ProjectionExpression: String?
        var ExpressionAttributeNames: [String: String]?
        var ConsistentRead: Bool?
    }
    var RequestItems: [String: Request]?
}

struct ListTablesInput: Decodable {
    var ExclusiveStartTableName: String?
    var Limit: Int?
}

/// Any JSON value: used to notice legacy parameters without decoding them.
struct AnyJSON: Decodable {
    init(from decoder: any Decoder) throws {}
}
