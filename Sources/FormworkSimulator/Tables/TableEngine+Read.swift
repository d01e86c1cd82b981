import Formwork
import FormworkRuntime
import Foundation
import GRDB

/// The options of a Query or Scan.
struct ReadRequest: Sendable {
    var indexName: String?
    var limit: Int?
    var exclusiveStartKey: TableItem?
    var forward = true
    var consistentRead = false
    var select: Select?
    var segment: Int?
    var totalSegments: Int?
    var expressions = RequestExpressions()
}

/// One page of a Query or Scan.
struct ReadPage: Sendable {
    var items: [TableItem]
    var count: Int
    var scannedCount: Int
    var lastEvaluatedKey: TableItem?
    /// Whether Select COUNT asked for no items.
    var countOnly: Bool
}

extension TableEngine {
    /// DynamoDB stops a page after 1 MB of evaluated items.
    static let pageBytes = 1024 * 1024

    func query(table: String, _ request: ReadRequest) async throws -> ReadPage {
        let schema = try schema(table)
        let index = try request.indexName.map { name throws(TableError) in try schema.index(named: name) }
        try Self.checkReadOptions(request, index: index)
        let attributes = ExpressionAttributes(names: request.expressions.names, values: request.expressions.values)
        guard let keyText = request.expressions.keyCondition else {
            throw TableError.validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
        }
        let partitionKey = index?.partitionKey ?? schema.partitionKey
        let sortKey = index == nil ? schema.sortKey : index?.sortKey
        let keyCondition = try Expressions.keyCondition(keyText, attributes, partitionKey: partitionKey.name, sortKey: sortKey?.name)
        let filter = try request.expressions.filter.map { text throws(TableError) in try Expressions.condition(text, attributes, kind: "FilterExpression") }
        let projection = try request.expressions.projection.map { text throws(TableError) in try Expressions.projection(text, attributes) }
        try attributes.checkAllUsed()
        let keyNames = [partitionKey.name] + [sortKey?.name].compactMap { $0 }
        if let filter, let key = keyNames.first(where: filter.referencedAttributes.contains) {
            throw TableError.validation("Filter Expression can only contain non-primary key attributes: Primary key attribute: \(key)")
        }

        guard keyCondition.partitionValue.typeName == partitionKey.typeName, let pk = keyCondition.partitionValue.sortableKeyBytes else {
            throw TableError.validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
        }
        let range = try Self.range(keyCondition.sortCondition, key: sortKey)
        if let start = request.exclusiveStartKey {
            let startSort = sortKey.flatMap { start[$0.name] }
            guard start[partitionKey.name].map({ $0.dynamoEquals(keyCondition.partitionValue) }) == true,
                keyCondition.sortCondition.map({ $0.matches(startSort) }) ?? true
            else {
                throw TableError.validation("The provided starting key is outside query boundaries based on provided conditions")
            }
        }
        let start = try request.exclusiveStartKey.map { key throws(TableError) in try startPosition(key, schema: schema, index: index, scan: false) }
        let pkData = Data(pk)
        return try await store.writer.read { db in
            try self.collect(request, schema: schema, index: index, filter: filter, projection: projection, start: start) { position, batch in
                if let index {
                    return try RangeReads.index(
                        db, table: schema.name, index: index.name, ipk: pkData, range: range, after: position,
                        forward: request.forward, limit: batch)
                }
                return try RangeReads.table(db, table: schema.name, pk: pkData, range: range, after: position, forward: request.forward, limit: batch)
            }
        }
    }

    func scan(table: String, _ request: ReadRequest) async throws -> ReadPage {
        let schema = try schema(table)
        let index = try request.indexName.map { name throws(TableError) in try schema.index(named: name) }
        try Self.checkReadOptions(request, index: index)
        if let total = request.totalSegments {
            guard (1...1_000_000).contains(total) else {
                throw TableError.validation(
                    "1 validation error detected: Value '\(total)' at 'totalSegments' failed to satisfy constraint: Member must have value less than or equal to 1000000"
                )
            }
            guard let segment = request.segment, (0..<total).contains(segment) else {
                throw TableError.validation(
                    "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: \(request.segment ?? -1) is not less than TotalSegments: \(total)"
                )
            }
        } else if request.segment != nil {
            throw TableError.validation("The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
        }
        let attributes = ExpressionAttributes(names: request.expressions.names, values: request.expressions.values)
        let filter = try request.expressions.filter.map { text throws(TableError) in try Expressions.condition(text, attributes, kind: "FilterExpression") }
        let projection = try request.expressions.projection.map { text throws(TableError) in try Expressions.projection(text, attributes) }
        try attributes.checkAllUsed()
        let start = try request.exclusiveStartKey.map { key throws(TableError) in try startPosition(key, schema: schema, index: index, scan: true) }
        var segmentFilter: (@Sendable ([Data]) -> Bool)?
        if let total = request.totalSegments, let segment = request.segment {
            segmentFilter = { position in Int(StableSegment.of(position[0]) % UInt64(total)) == segment }
        }
        let includes = segmentFilter
        return try await store.writer.read { db in
            try self.collect(
                request, schema: schema, index: index, filter: filter, projection: projection, start: start,
                includes: includes
            ) { position, batch in
                if let index {
                    return try RangeReads.scanIndex(db, table: schema.name, index: index.name, after: position, limit: batch)
                }
                return try RangeReads.scanTable(db, table: schema.name, after: position, limit: batch)
            }
        }
    }

    /// Reads batches in key order until the limit, 1 MB or the end; applies the filter after
    /// counting, as DynamoDB does.
    private func collect(
        _ request: ReadRequest, schema: TableSchema, index: GlobalIndex?, filter: ParsedCondition?,
        projection: ParsedProjection?, start: [Data]?, includes: (@Sendable ([Data]) -> Bool)? = nil,
        fetch: ([Data]?, Int) throws -> [KeyedRow]
    ) throws -> ReadPage {
        var items: [TableItem] = []
        var scanned = 0, bytes = 0
        var position = start
        var lastEvaluated: TableItem?
        let limit = request.limit ?? Int.max
        reading: while true {
            let batchSize = min(max(limit - scanned, 1), 256)
            let rows = try fetch(position, batchSize)
            for row in rows {
                position = row.position
                if let includes, !includes(row.position) { continue }
                scanned += 1
                bytes += ItemSize.of(row.item)
                let visible = index.map { schema.project(row.item, for: $0) } ?? row.item
                if try filter?.evaluate(visible) ?? true {
                    items.append(projection?.apply(to: visible) ?? visible)
                }
                if scanned >= limit || bytes >= Self.pageBytes {
                    lastEvaluated = KeyRules.keyOf(row.item, schema: schema, index: index)
                    break reading
                }
            }
            if rows.count < batchSize { break }
        }
        let countOnly = request.select == .count
        return ReadPage(items: countOnly ? [] : items, count: items.count, scannedCount: scanned, lastEvaluatedKey: lastEvaluated, countOnly: countOnly)
    }

    private static func checkReadOptions(_ request: ReadRequest, index: GlobalIndex?) throws(TableError) {
        if let limit = request.limit, limit < 1 {
            throw .validation(
                "1 validation error detected: Value '\(limit)' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")
        }
        if index != nil && request.consistentRead {
            throw .validation("Consistent reads are not supported on global secondary indexes")
        }
        if request.select == .specificAttributes && request.expressions.projection == nil {
            throw .validation("Select type SPECIFIC_ATTRIBUTES requires a ProjectionExpression or AttributesToGet")
        }
        if request.select == .allAttributes, let index, index.projection != .all {
            throw .validation(
                "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index \(index.name) because its projection type is not ALL"
            )
        }
        if request.select == .count && request.expressions.projection != nil {
            throw .validation("Cannot specify the ProjectionExpression when choosing to get only the Count")
        }
    }

    private static func range(_ condition: KeyCondition.SortCondition?, key: KeyAttribute?) throws(TableError) -> ByteRange {
        guard let condition else { return .all }
        func bytes(_ value: AttributeValue) throws(TableError) -> Data {
            guard let key, value.typeName == key.typeName, let bytes = value.sortableKeyBytes else {
                throw .validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
            }
            return Data(bytes)
        }
        switch condition {
        case .equal(let v): let b = try bytes(v); return ByteRange(lower: (b, true), upper: (b, true))
        case .less(let v): return ByteRange(upper: (try bytes(v), false))
        case .lessOrEqual(let v): return ByteRange(upper: (try bytes(v), true))
        case .greater(let v): return ByteRange(lower: (try bytes(v), false))
        case .greaterOrEqual(let v): return ByteRange(lower: (try bytes(v), true))
        case .between(let a, let b):
            let (x, y) = (try bytes(a), try bytes(b))
            if AttributeValue.compareBytes(Array(x), Array(y)) > 0 {
                throw .validation(
                    "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {\(a.typeName):\(a.displayText)}, upper bound operand: AttributeValue: {\(b.typeName):\(b.displayText)}"
                )
            }
            return ByteRange(lower: (x, true), upper: (y, true))
        case .beginsWith(let v):
            if key?.typeName == "N" || v.typeName == "N" {
                throw .validation(
                    "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
            }
            return .prefix(try bytes(v))
        }
    }

    /// The read position an ExclusiveStartKey names.
    private func startPosition(_ key: TableItem, schema: TableSchema, index: GlobalIndex?, scan: Bool) throws(TableError) -> [Data] {
        let tableKey = try KeyRules.storedKey(key, schema: schema)
        guard let index else { return scan ? [tableKey.pk, tableKey.sk] : [tableKey.sk] }
        guard let ipk = key[index.partitionKey.name]?.sortableKeyBytes else {
            throw .validation("The provided starting key is invalid: The provided key element does not match the schema")
        }
        var isk: [UInt8] = []
        if let sortKey = index.sortKey {
            guard let bytes = key[sortKey.name]?.sortableKeyBytes else {
                throw .validation("The provided starting key is invalid: The provided key element does not match the schema")
            }
            isk = bytes
        }
        return scan ? [Data(ipk), Data(isk), tableKey.pk, tableKey.sk] : [Data(isk), tableKey.pk, tableKey.sk]
    }
}

/// Which scan segment a partition key belongs to: a stable hash of its bytes.
enum StableSegment {
    static func of(_ bytes: Data) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01B3
        }
        return hash
    }
}

extension AttributeValue {
    /// The value as DynamoDB prints it inside error messages.
    var displayText: String {
        switch self {
        case .string(let text), .number(let text): text
        case .binary(let data): data.base64EncodedString()
        case .bool(let value): value ? "true" : "false"
        default: "\(self)"
        }
    }
}
