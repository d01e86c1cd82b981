import FormworkRuntime
import Foundation
import GRDB

/// The expressions and placeholders of one request, as the wire API sends them.
struct RequestExpressions: Sendable {
    var condition: String?
    var update: String?
    var projection: String?
    var filter: String?
    var keyCondition: String?
    var names: [String: String] = [:]
    var values: [String: AttributeValue] = [:]
}

/// A failed condition, with the item as it was when the request asked for it
/// (ReturnValuesOnConditionCheckFailure ALL_OLD).
struct ConditionalCheckFailure: Error {
    var item: TableItem?
}

/// DynamoDB semantics over the SQLite store: every operation is one transaction, every check
/// and error as DynamoDB makes it.
final class TableEngine: Sendable {
    let store: TableStore
    let schemas: [String: TableSchema]

    init(store: TableStore, schemas: [TableSchema]) {
        self.store = store
        self.schemas = Dictionary(schemas.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func schema(_ table: String) throws(TableError) -> TableSchema {
        guard let schema = schemas[table] else { throw .resourceNotFound("Requested resource not found") }
        return schema
    }

    // MARK: Single items

    func put(
        table: String, item: TableItem, expressions: RequestExpressions, returnValues: ReturnValues,
        returnOldOnFailure: Bool = false
    ) async throws -> TableItem? {
        let schema = try schema(table)
        try Self.checkWriteReturnValues(returnValues)
        let condition = try Self.conditionOnly(expressions)
        let key = try KeyRules.itemKey(item, schema: schema)
        try KeyRules.checkItem(item, schema: schema)
        let stored = KeyRules.canonical(item)
        return try await writeChecked(schema, key, condition: condition, returnOldOnFailure: returnOldOnFailure) { db, old in
            try ItemRows.put(db, schema: schema, key: key, item: stored)
            return returnValues == .allOld ? old : nil
        }
    }

    func get(table: String, key: TableItem, expressions: RequestExpressions) async throws -> TableItem? {
        let schema = try schema(table)
        let attributes = ExpressionAttributes(names: expressions.names, values: expressions.values)
        let projection = try expressions.projection.map { text throws(TableError) in try Expressions.projection(text, attributes) }
        try attributes.checkAllUsed()
        let stored = try KeyRules.key(key, schema: schema)
        let item = try await store.writer.read { db in try ItemRows.get(db, table: schema.name, key: stored) }
        return item.map { projection?.apply(to: $0) ?? $0 }
    }

    func update(
        table: String, key: TableItem, expressions: RequestExpressions, returnValues: ReturnValues,
        returnOldOnFailure: Bool = false
    ) async throws -> TableItem? {
        let schema = try schema(table)
        let attributes = ExpressionAttributes(names: expressions.names, values: expressions.values)
        guard let updateText = expressions.update else {
            throw TableError.validation("Invalid UpdateExpression: The expression can not be empty;")
        }
        let update = try Expressions.update(updateText, attributes)
        let condition = try expressions.condition.map { text throws(TableError) in try Expressions.condition(text, attributes) }
        try attributes.checkAllUsed()
        let stored = try KeyRules.key(key, schema: schema)
        for name in schema.keyNames where update.touchedAttributes.contains(name) {
            throw TableError.validation("One or more parameter values were invalid: Cannot update attribute \(name). This attribute is part of the key")
        }
        return try await writeChecked(schema, stored, condition: condition, returnOldOnFailure: returnOldOnFailure) { db, old in
            let new = KeyRules.canonical(try update.apply(to: old ?? key).item)
            try KeyRules.checkItem(new, schema: schema, updating: true)
            try ItemRows.put(db, schema: schema, key: stored, item: new)
            return Self.returned(returnValues, old: old, new: new, updated: update.updatedParts)
        }
    }

    func delete(
        table: String, key: TableItem, expressions: RequestExpressions, returnValues: ReturnValues,
        returnOldOnFailure: Bool = false
    ) async throws -> TableItem? {
        let schema = try schema(table)
        try Self.checkWriteReturnValues(returnValues)
        let condition = try Self.conditionOnly(expressions)
        let stored = try KeyRules.key(key, schema: schema)
        return try await writeChecked(schema, stored, condition: condition, returnOldOnFailure: returnOldOnFailure) { db, old in
            if old != nil { try ItemRows.delete(db, schema: schema, key: stored) }
            return returnValues == .allOld ? old : nil
        }
    }

    /// The condition of a request that has no other expression, all placeholders used.
    private static func conditionOnly(_ expressions: RequestExpressions) throws(TableError) -> ParsedCondition? {
        let attributes = ExpressionAttributes(names: expressions.names, values: expressions.values)
        let condition = try expressions.condition.map { text throws(TableError) in try Expressions.condition(text, attributes) }
        try attributes.checkAllUsed()
        return condition
    }

    /// In one transaction: reads the stored item, checks the condition against it, then writes.
    private func writeChecked(
        _ schema: TableSchema, _ key: StoredKey, condition: ParsedCondition?, returnOldOnFailure: Bool,
        _ write: @escaping @Sendable (Database, TableItem?) throws -> TableItem?
    ) async throws -> TableItem? {
        try await store.writer.write { db in
            let old = try ItemRows.get(db, table: schema.name, key: key)
            if let condition, try !condition.evaluate(old ?? [:]) {
                throw ConditionalCheckFailure(item: returnOldOnFailure ? old : nil)
            }
            return try write(db, old)
        }
    }

    static func checkWriteReturnValues(_ returnValues: ReturnValues) throws(TableError) {
        guard returnValues == .none || returnValues == .allOld else {
            throw .validation("ReturnValues can only be ALL_OLD or NONE")
        }
    }

    /// What UpdateItem returns: UPDATED_OLD and UPDATED_NEW hold exactly the updated parts,
    /// nested paths inside their parents.
    static func returned(_ returnValues: ReturnValues, old: TableItem?, new: TableItem, updated: ParsedProjection) -> TableItem? {
        let result: TableItem? =
            switch returnValues {
            case .none: nil
            case .allOld: old
            case .allNew: new
            case .updatedOld: old.map { updated.apply(to: $0) }
            case .updatedNew: updated.apply(to: new)
            }
        return result?.isEmpty == true ? nil : result
    }

    /// How many items a table holds.
    func count(table: String) async throws -> Int {
        let schema = try schema(table)
        return try await store.writer.read { db in try ItemRows.count(db, table: schema.name) }
    }
}
