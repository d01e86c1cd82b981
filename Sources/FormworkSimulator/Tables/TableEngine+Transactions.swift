import FormworkRuntime
import Foundation
import GRDB

/// One action of TransactWriteItems, with its own expressions.
struct TransactAction: Sendable {
    enum Kind: Sendable { case put(TableItem), update(key: TableItem), delete(key: TableItem), conditionCheck(key: TableItem) }

    var table: String
    var kind: Kind
    var expressions: RequestExpressions
    /// Whether a failed condition returns the item (ReturnValuesOnConditionCheckFailure ALL_OLD).
    var returnOldOnFailure = false
}

/// A write of BatchWriteItem.
enum BatchWrite: Sendable {
    case put(TableItem)
    case delete(key: TableItem)
}

extension TableEngine {
    /// All actions or none: conditions are checked, then every write happens in one transaction.
    func transactWrite(_ actions: [TransactAction]) async throws {
        guard (1...100).contains(actions.count) else {
            throw TableError.validation(
                "1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100")
        }
        struct Prepared {
            var schema: TableSchema
            var key: StoredKey
            var keyItem: TableItem
            var condition: ParsedCondition?
            var update: ParsedUpdate?
            var action: TransactAction
        }
        var prepared: [Prepared] = []
        var seen: Set<String> = []
        for action in actions {
            let schema = try schema(action.table)
            let attributes = ExpressionAttributes(names: action.expressions.names, values: action.expressions.values)
            let condition = try action.expressions.condition.map { text throws(TableError) in try Expressions.condition(text, attributes) }
            var update: ParsedUpdate?
            let key: StoredKey, keyItem: TableItem
            switch action.kind {
            case .put(let item):
                key = try KeyRules.itemKey(item, schema: schema)
                try KeyRules.checkItem(item, schema: schema)
                keyItem = KeyRules.keyOf(item, schema: schema)
            case .update(let k):
                key = try KeyRules.key(k, schema: schema)
                keyItem = k
                guard let text = action.expressions.update else { throw TableError.validation("Invalid UpdateExpression: The expression can not be empty;") }
                update = try Expressions.update(text, attributes)
                for name in schema.keyNames where update?.touchedAttributes.contains(name) == true {
                    throw TableError.validation("One or more parameter values were invalid: Cannot update attribute \(name). This attribute is part of the key")
                }
            case .delete(let k), .conditionCheck(let k):
                key = try KeyRules.key(k, schema: schema)
                keyItem = k
                if case .conditionCheck = action.kind, condition == nil {
                    throw TableError.validation("The ConditionCheck action requires a ConditionExpression")
                }
            }
            try attributes.checkAllUsed()
            let identity = "\(schema.name)\u{0}\(key.pk.base64EncodedString())\u{0}\(key.sk.base64EncodedString())"
            guard seen.insert(identity).inserted else {
                throw TableError.validation("Transaction request cannot include multiple operations on one item")
            }
            prepared.append(Prepared(schema: schema, key: key, keyItem: keyItem, condition: condition, update: update, action: action))
        }
        let steps = prepared
        try await store.writer.write { db in
            // First every action is checked against the stored items, then all are written.
            var reasons: [CancellationReason] = []
            var results: [TableItem?] = []
            for step in steps {
                let old = try ItemRows.get(db, table: step.schema.name, key: step.key)
                var result: TableItem?
                var reason = CancellationReason.noFailure
                if let condition = step.condition, try !condition.evaluate(old ?? [:]) {
                    reason = CancellationReason(
                        code: "ConditionalCheckFailed", message: "The conditional request failed",
                        item: step.action.returnOldOnFailure ? old : nil)
                } else {
                    do {
                        switch step.action.kind {
                        case .put(let item): result = KeyRules.canonical(item)
                        case .update:
                            if let update = step.update {
                                let new = KeyRules.canonical(try update.apply(to: old ?? step.keyItem).item)
                                try KeyRules.checkItem(new, schema: step.schema, updating: true)
                                result = new
                            }
                        case .delete, .conditionCheck: break
                        }
                    } catch let error as TableError {
                        reason = CancellationReason(code: "ValidationError", message: error.message)
                    }
                }
                reasons.append(reason)
                results.append(result)
            }
            if reasons.contains(where: { $0.code != CancellationReason.noFailure.code }) {
                throw TableError.transactionCanceled(reasons: reasons)
            }
            for (step, result) in zip(steps, results) {
                switch step.action.kind {
                case .put, .update: if let result { try ItemRows.put(db, schema: step.schema, key: step.key, item: result) }
                case .delete: try ItemRows.delete(db, schema: step.schema, key: step.key)
                case .conditionCheck: break
                }
            }
        }
    }

    /// Reads up to 100 items in one snapshot.
    func transactGet(_ gets: [(table: String, key: TableItem, expressions: RequestExpressions)]) async throws -> [TableItem?] {
        guard (1...100).contains(gets.count) else {
            throw TableError.validation(
                "1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100")
        }
        var prepared: [(TableSchema, StoredKey, ParsedProjection?)] = []
        for get in gets {
            let schema = try schema(get.table)
            let attributes = ExpressionAttributes(names: get.expressions.names, values: get.expressions.values)
            let projection = try get.expressions.projection.map { text throws(TableError) in try Expressions.projection(text, attributes) }
            try attributes.checkAllUsed()
            prepared.append((schema, try KeyRules.key(get.key, schema: schema), projection))
        }
        let reads = prepared
        return try await store.writer.read { db in
            try reads.map { schema, key, projection in
                try ItemRows.get(db, table: schema.name, key: key).map { projection?.apply(to: $0) ?? $0 }
            }
        }
    }

    /// Up to 25 puts and deletes, each atomic; none are left unprocessed.
    func batchWrite(_ requests: [String: [BatchWrite]]) async throws {
        let total = requests.values.reduce(0) { $0 + $1.count }
        guard (1...25).contains(total) else {
            throw TableError.validation(
                "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]"
            )
        }
        var prepared: [(TableSchema, StoredKey, TableItem?)] = []
        var seen: Set<String> = []
        for (table, writes) in requests.sorted(by: { $0.key < $1.key }) {
            let schema = try schema(table)
            for write in writes {
                switch write {
                case .put(let item):
                    let key = try KeyRules.itemKey(item, schema: schema)
                    try KeyRules.checkItem(item, schema: schema)
                    prepared.append((schema, key, KeyRules.canonical(item)))
                case .delete(let keyItem):
                    prepared.append((schema, try KeyRules.key(keyItem, schema: schema), nil))
                }
                let last = prepared[prepared.count - 1].1
                guard seen.insert("\(table)\u{0}\(last.pk.base64EncodedString())\u{0}\(last.sk.base64EncodedString())").inserted else {
                    throw TableError.validation("Provided list of item keys contains duplicates")
                }
            }
        }
        let writes = prepared
        try await store.writer.write { db in
            for (schema, key, item) in writes {
                if let item { try ItemRows.put(db, schema: schema, key: key, item: item) } else { try ItemRows.delete(db, schema: schema, key: key) }
            }
        }
    }

    /// Up to 100 keys across tables; every key is processed.
    func batchGet(_ requests: [String: (keys: [TableItem], expressions: RequestExpressions)]) async throws -> [String: [TableItem]] {
        let total = requests.values.reduce(0) { $0 + $1.keys.count }
        guard (1...100).contains(total) else {
            throw TableError.validation("Too many items requested for the BatchGetItem call")
        }
        var prepared: [(String, TableSchema, [StoredKey], ParsedProjection?)] = []
        for (table, request) in requests.sorted(by: { $0.key < $1.key }) {
            let schema = try schema(table)
            let attributes = ExpressionAttributes(names: request.expressions.names, values: request.expressions.values)
            let projection = try request.expressions.projection.map { text throws(TableError) in try Expressions.projection(text, attributes) }
            try attributes.checkAllUsed()
            var keys: [StoredKey] = []
            for key in request.keys {
                let stored = try KeyRules.key(key, schema: schema)
                if keys.contains(stored) { throw TableError.validation("Provided list of item keys contains duplicates") }
                keys.append(stored)
            }
            prepared.append((table, schema, keys, projection))
        }
        let reads = prepared
        return try await store.writer.read { db in
            var responses: [String: [TableItem]] = [:]
            for (table, schema, keys, projection) in reads {
                responses[table] = try keys.compactMap { key in
                    try ItemRows.get(db, table: schema.name, key: key).map { projection?.apply(to: $0) ?? $0 }
                }
            }
            return responses
        }
    }
}
