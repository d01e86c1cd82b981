import Formwork
import FormworkRuntime
import Foundation

/// Checks items and keys against a table's schema with DynamoDB's messages, and turns key
/// values into stored keys.
enum KeyRules {
    /// The stored key of a full item (PutItem).
    static func itemKey(_ item: TableItem, schema: TableSchema) throws(TableError) -> StoredKey {
        for key in [schema.partitionKey] + [schema.sortKey].compactMap({ $0 }) {
            guard let value = item[key.name] else {
                throw .validation("One or more parameter values were invalid: Missing the key \(key.name) in the item")
            }
            try checkKeyValue(value, key: key)
        }
        return try storedKey(item, schema: schema)
    }

    /// The stored key of a key map (GetItem, UpdateItem, DeleteItem): exactly the key attributes.
    static func key(_ key: TableItem, schema: TableSchema) throws(TableError) -> StoredKey {
        let names = Set(schema.keyNames)
        guard Set(key.keys) == names else { throw .validation("The provided key element does not match the schema") }
        for attribute in [schema.partitionKey] + [schema.sortKey].compactMap({ $0 }) {
            guard let value = key[attribute.name], value.typeName == attribute.typeName else {
                throw .validation("The provided key element does not match the schema")
            }
            try checkKeyValue(value, key: attribute)
        }
        return try storedKey(key, schema: schema)
    }

    static func storedKey(_ item: TableItem, schema: TableSchema) throws(TableError) -> StoredKey {
        guard let pk = item[schema.partitionKey.name]?.sortableKeyBytes else {
            throw .validation("The provided key element does not match the schema")
        }
        var sk: [UInt8] = []
        if let sortKey = schema.sortKey {
            guard let bytes = item[sortKey.name]?.sortableKeyBytes else { throw .validation("The provided key element does not match the schema") }
            sk = bytes
        }
        return StoredKey(pk: Data(pk), sk: Data(sk))
    }

    /// Only the key attributes of an item.
    static func keyOf(_ item: TableItem, schema: TableSchema, index: GlobalIndex? = nil) -> TableItem {
        var names = schema.keyNames
        if let index { names += [index.partitionKey.name] + [index.sortKey?.name].compactMap { $0 } }
        return item.filter { names.contains($0.key) }
    }

    private static func checkKeyValue(_ value: AttributeValue, key: KeyAttribute) throws(TableError) {
        guard value.typeName == key.typeName else {
            throw .validation(
                "One or more parameter values were invalid: Type mismatch for key \(key.name) expected: \(key.typeName) actual: \(value.typeName)")
        }
        switch value {
        case .string(let text) where text.isEmpty:
            throw .validation(
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: \(key.name)")
        case .binary(let data) where data.isEmpty:
            throw .validation(
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: \(key.name)")
        default: break
        }
    }

    /// Everything DynamoDB checks on an item before writing it; `updating` selects UpdateItem's
    /// wording of the size error.
    static func checkItem(_ item: TableItem, schema: TableSchema, updating: Bool = false) throws(TableError) {
        for (name, value) in item { try checkValue(value, name: name) }
        for index in schema.indexes {
            for key in [index.partitionKey] + [index.sortKey].compactMap({ $0 }) {
                guard let value = item[key.name] else { continue }
                if value.typeName != key.typeName {
                    throw .validation(
                        "One or more parameter values were invalid: Type mismatch for Index Key \(key.name) Expected: \(key.typeName) Actual: \(value.typeName) IndexName: \(index.name)"
                    )
                }
                if case .string(let text) = value, text.isEmpty {
                    throw .validation(
                        "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: \(index.name), IndexKey: \(key.name)"
                    )
                }
            }
        }
        if ItemSize.of(item) > ItemSize.limit {
            throw .validation(updating ? "Item size to update has exceeded the maximum allowed size" : "Item size has exceeded the maximum allowed size")
        }
    }

    /// Numbers parse, sets are non-empty and unique, recursively.
    static func checkValue(_ value: AttributeValue, name: String) throws(TableError) {
        switch value {
        case .number(let text): _ = try DynamoNumber(parsing: text)
        case .stringSet(let values):
            if values.isEmpty { throw .validation("One or more parameter values were invalid: An string set  may not be empty") }
            if Set(values).count != values.count {
                throw .validation("One or more parameter values were invalid: Input collection \(values) contains duplicates.")
            }
        case .numberSet(let values):
            if values.isEmpty { throw .validation("One or more parameter values were invalid: An number set  may not be empty") }
            var seen: Set<DynamoNumber> = []
            for text in values {
                let number = try DynamoNumber(parsing: text)
                if !seen.insert(number).inserted {
                    throw .validation("One or more parameter values were invalid: Input collection \(values) contains duplicates.")
                }
            }
        case .binarySet(let values):
            if values.isEmpty { throw .validation("One or more parameter values were invalid: Binary sets should not be empty") }
            if Set(values).count != values.count { throw .validation("One or more parameter values were invalid: Input collection contains duplicates.") }
        case .list(let items): for item in items { try checkValue(item, name: name) }
        case .map(let entries): for (key, item) in entries { try checkValue(item, name: key) }
        default: break
        }
    }

    /// Canonical numbers (DynamoDB returns `1.5` for `1.50`), recursively.
    static func canonical(_ item: TableItem) -> TableItem {
        item.mapValues(canonical)
    }

    static func canonical(_ value: AttributeValue) -> AttributeValue {
        switch value {
        case .number(let text): .number((try? DynamoNumber(parsing: text))?.description ?? text)
        case .numberSet(let values): .numberSet(values.map { (try? DynamoNumber(parsing: $0))?.description ?? $0 })
        case .list(let items): .list(items.map(canonical))
        case .map(let entries): .map(entries.mapValues(canonical))
        default: value
        }
    }
}
