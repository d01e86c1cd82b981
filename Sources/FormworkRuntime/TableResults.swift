import Foundation

/// One page of a `Query` or `Scan`.
public struct QueryResult: Equatable, Sendable {
    /// The items that passed the filter.
    public var items: [TableItem]
    /// How many items passed the filter.
    public var count: Int
    /// How many items were read before filtering.
    public var scannedCount: Int
    /// Where the next page starts; `nil` when this is the last page.
    public var lastEvaluatedKey: TableItem?

    /// Creates a page; `count` defaults to the number of items.
    public init(items: [TableItem], count: Int? = nil, scannedCount: Int, lastEvaluatedKey: TableItem? = nil) {
        self.items = items
        self.count = count ?? items.count
        self.scannedCount = scannedCount
        self.lastEvaluatedKey = lastEvaluatedKey
    }
}

/// One page of a `Scan`: the same shape as a query's.
public typealias ScanResult = QueryResult

/// What a `BatchGetItem` call read.
public struct BatchGetResult: Equatable, Sendable {
    /// Table name → the items found (missing keys are simply absent).
    public var responses: [String: [TableItem]]
    /// Table name → the keys not read this time; ask again for them.
    public var unprocessedKeys: [String: BatchGetRequest]

    /// Creates a result.
    public init(responses: [String: [TableItem]], unprocessedKeys: [String: BatchGetRequest] = [:]) {
        self.responses = responses
        self.unprocessedKeys = unprocessedKeys
    }
}

/// What a `BatchWriteItem` call left undone.
public struct BatchWriteResult: Equatable, Sendable {
    /// Table name → the writes not done this time; send them again.
    public var unprocessedItems: [String: [WriteRequest]]

    /// Creates a result.
    public init(unprocessedItems: [String: [WriteRequest]] = [:]) {
        self.unprocessedItems = unprocessedItems
    }
}
