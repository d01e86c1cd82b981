import Foundation

/// Which attributes a query or scan returns (`Select`).
public enum Select: String, Codable, CaseIterable, Sendable {
    /// `ALL_ATTRIBUTES`.
    case allAttributes = "ALL_ATTRIBUTES"
    /// `ALL_PROJECTED_ATTRIBUTES`: what the index projects.
    case allProjectedAttributes = "ALL_PROJECTED_ATTRIBUTES"
    /// `SPECIFIC_ATTRIBUTES`: what the projection expression names.
    case specificAttributes = "SPECIFIC_ATTRIBUTES"
    /// `COUNT`: only the count.
    case count = "COUNT"
}

/// A DynamoDB `Query` on a table or one of its indexes.
///
/// ```swift
/// QueryRequest(keyConditionExpression: "assigneeId = :a",
///              indexName: "ByAssignee", expressionAttributeValues: [":a": "u-1"])
/// ```
public struct QueryRequest: Equatable, Sendable {
    /// Selects the partition (and optionally a sort key range), such as
    /// `#pk = :pk AND #sk BETWEEN :from AND :to`.
    public var keyConditionExpression: String
    /// Drops matching items after they are read (they still count as scanned).
    public var filterExpression: String?
    /// Which attributes to return.
    public var projectionExpression: String?
    /// The index to query; `nil` for the table itself.
    public var indexName: String?
    /// `#placeholder` → attribute name, for all the expressions above.
    public var expressionAttributeNames: [String: String]
    /// `:placeholder` → value, for all the expressions above.
    public var expressionAttributeValues: [String: AttributeValue]
    /// The most items to read (before filtering).
    public var limit: Int?
    /// Where to continue: a previous result's ``QueryResult/lastEvaluatedKey``.
    public var exclusiveStartKey: TableItem?
    /// `true` for ascending sort key order, `false` for descending.
    public var scanIndexForward: Bool
    /// Strongly consistent reads (not on global secondary indexes).
    public var consistentRead: Bool
    /// Which attributes to return, or only the count.
    public var select: Select?

    /// Creates a query.
    public init(
        keyConditionExpression: String,
        filterExpression: String? = nil,
        projectionExpression: String? = nil,
        indexName: String? = nil,
        expressionAttributeNames: [String: String] = [:],
        expressionAttributeValues: [String: AttributeValue] = [:],
        limit: Int? = nil,
        exclusiveStartKey: TableItem? = nil,
        scanIndexForward: Bool = true,
        consistentRead: Bool = false,
        select: Select? = nil
    ) {
        self.keyConditionExpression = keyConditionExpression
        self.filterExpression = filterExpression
        self.projectionExpression = projectionExpression
        self.indexName = indexName
        self.expressionAttributeNames = expressionAttributeNames
        self.expressionAttributeValues = expressionAttributeValues
        self.limit = limit
        self.exclusiveStartKey = exclusiveStartKey
        self.scanIndexForward = scanIndexForward
        self.consistentRead = consistentRead
        self.select = select
    }
}

/// A DynamoDB `Scan` of a table or one of its indexes.
public struct ScanRequest: Equatable, Sendable {
    /// Drops matching items after they are read (they still count as scanned).
    public var filterExpression: String?
    /// Which attributes to return.
    public var projectionExpression: String?
    /// The index to scan; `nil` for the table itself.
    public var indexName: String?
    /// `#placeholder` → attribute name, for the expressions above.
    public var expressionAttributeNames: [String: String]
    /// `:placeholder` → value, for the expressions above.
    public var expressionAttributeValues: [String: AttributeValue]
    /// The most items to read (before filtering).
    public var limit: Int?
    /// Where to continue: a previous result's ``QueryResult/lastEvaluatedKey``.
    public var exclusiveStartKey: TableItem?
    /// Strongly consistent reads (not on global secondary indexes).
    public var consistentRead: Bool
    /// Which attributes to return, or only the count.
    public var select: Select?
    /// For a parallel scan: this worker's segment, from 0.
    public var segment: Int?
    /// For a parallel scan: how many segments there are.
    public var totalSegments: Int?

    /// Creates a scan.
    public init(
        filterExpression: String? = nil,
        projectionExpression: String? = nil,
        indexName: String? = nil,
        expressionAttributeNames: [String: String] = [:],
        expressionAttributeValues: [String: AttributeValue] = [:],
        limit: Int? = nil,
        exclusiveStartKey: TableItem? = nil,
        consistentRead: Bool = false,
        select: Select? = nil,
        segment: Int? = nil,
        totalSegments: Int? = nil
    ) {
        self.filterExpression = filterExpression
        self.projectionExpression = projectionExpression
        self.indexName = indexName
        self.expressionAttributeNames = expressionAttributeNames
        self.expressionAttributeValues = expressionAttributeValues
        self.limit = limit
        self.exclusiveStartKey = exclusiveStartKey
        self.consistentRead = consistentRead
        self.select = select
        self.segment = segment
        self.totalSegments = totalSegments
    }
}

/// One action of a `TransactWriteItems` call; all succeed or none does.
public enum TransactWriteItem: Equatable, Sendable {
    /// Puts an item.
    case put(table: String, item: TableItem, condition: ConditionExpression? = nil)
    /// Updates an item.
    case update(table: String, key: TableItem, update: UpdateExpression, condition: ConditionExpression? = nil)
    /// Deletes an item.
    case delete(table: String, key: TableItem, condition: ConditionExpression? = nil)
    /// Checks a condition on an item without changing it.
    case conditionCheck(table: String, key: TableItem, condition: ConditionExpression)

    /// The table the action works on.
    public var table: String {
        switch self {
        case .put(let table, _, _), .update(let table, _, _, _), .delete(let table, _, _),
            .conditionCheck(let table, _, _):
            table
        }
    }
}

/// The keys to read from one table in a `BatchGetItem` call.
public struct BatchGetRequest: Equatable, Sendable {
    /// The primary keys of the items.
    public var keys: [TableItem]
    /// Strongly consistent reads.
    public var consistentRead: Bool
    /// Which attributes to return.
    public var projection: ProjectionExpression?

    /// Creates the request for one table.
    public init(keys: [TableItem], consistentRead: Bool = false, projection: ProjectionExpression? = nil) {
        self.keys = keys
        self.consistentRead = consistentRead
        self.projection = projection
    }
}

/// One write of a `BatchWriteItem` call (no conditions, no return values).
public enum WriteRequest: Equatable, Sendable {
    /// Puts an item.
    case put(item: TableItem)
    /// Deletes the item with this key.
    case delete(key: TableItem)
}
