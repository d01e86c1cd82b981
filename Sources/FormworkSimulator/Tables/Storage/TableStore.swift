import Formwork
import FormworkRuntime
import Foundation
import GRDB

/// Items and index entries in SQLite: one row per item, one row per item per index it
/// appears in. Keys are stored as bytes whose order is DynamoDB's order, so SQLite's indexes
/// answer key conditions and paging directly.
public struct TableStore: Sendable {
    let writer: any DatabaseWriter

    /// The tables' part of the simulator's state database.
    public init(database: StateDatabase) {
        writer = database.writer
    }

    /// A store of its own in a file (created with its directory if missing), in WAL mode.
    public static func file(_ path: String) throws -> TableStore {
        TableStore(database: try .file(path, migrations: migrations))
    }

    /// A store of its own in memory, for tests.
    public static func inMemory() throws -> TableStore {
        TableStore(database: try .inMemory(migrations: migrations))
    }

    /// The tables' named, append-only migrations.
    public static let migrations: [StateDatabase.Migration] = [
        .init("v1: items and index entries") { db in
            try db.execute(
                sql: """
                    CREATE TABLE items (
                        tableName TEXT NOT NULL,
                        pk BLOB NOT NULL,
                        sk BLOB NOT NULL,
                        item BLOB NOT NULL,
                        PRIMARY KEY (tableName, pk, sk)
                    ) WITHOUT ROWID;
                    CREATE TABLE indexEntries (
                        tableName TEXT NOT NULL,
                        indexName TEXT NOT NULL,
                        ipk BLOB NOT NULL,
                        isk BLOB NOT NULL,
                        pk BLOB NOT NULL,
                        sk BLOB NOT NULL,
                        PRIMARY KEY (tableName, indexName, ipk, isk, pk, sk)
                    ) WITHOUT ROWID;
                    CREATE INDEX indexEntriesByItem ON indexEntries (tableName, pk, sk);
                    """)
        },
        .init("v2: table schemas") { db in
            try db.execute(
                sql: """
                    CREATE TABLE tableSchemas (
                        tableName TEXT PRIMARY KEY NOT NULL,
                        keySchema TEXT NOT NULL,
                        indexSchema TEXT NOT NULL
                    );
                    """)
        },
        .init("v3: item expiry") { db in
            try db.execute(
                sql: """
                    ALTER TABLE items ADD COLUMN expiresAt INTEGER;
                    CREATE INDEX itemsByExpiry ON items (tableName, expiresAt) WHERE expiresAt IS NOT NULL;
                    ALTER TABLE tableSchemas ADD COLUMN timeToLiveAttribute TEXT;
                    """)
        },
    ]

    /// Tables that hold items in the store but that `schemas` does not name: state the
    /// blueprint no longer describes, kept, never deleted.
    public func orphanedTables(_ schemas: [TableSchema]) throws -> [(table: String, items: Int)] {
        let known = Set(schemas.map(\.name))
        return try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT tableName, COUNT(*) AS n FROM items GROUP BY tableName ORDER BY tableName")
                .map { (table: $0["tableName"] as String, items: $0["n"] as Int) }
                .filter { !known.contains($0.table) }
        }
    }

    /// Deletes the items of `schemas`' TTL tables that expired by `now` (epoch seconds), as
    /// DynamoDB's TTL does: items whose TTL lies more than five years in the past are kept.
    /// Returns how many items went.
    @discardableResult
    func deleteExpired(_ schemas: [TableSchema], now: Date) async throws -> Int {
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let oldest = seconds - Self.ttlHorizon
        return try await writer.write { db in
            var deleted = 0
            for schema in schemas where schema.timeToLiveAttribute != nil {
                let rows = try Row.fetchAll(
                    db, sql: "SELECT pk, sk FROM items WHERE tableName = ? AND expiresAt <= ? AND expiresAt >= ?",
                    arguments: [schema.name, seconds, oldest])
                for row in rows { try ItemRows.delete(db, schema: schema, key: StoredKey(pk: row["pk"], sk: row["sk"])) }
                deleted += rows.count
            }
            return deleted
        }
    }

    /// DynamoDB ignores TTL values more than five years in the past.
    static let ttlHorizon: Int64 = 5 * 365 * 24 * 3600

    /// Brings stored state in line with the blueprint's schemas: index entries are rebuilt
    /// when a table's indexes changed; a changed key schema of a table that holds items is an
    /// error, since its stored keys no longer mean the same.
    func reconcile(_ schemas: [TableSchema]) throws {
        try writer.write { db in
            for schema in schemas {
                let keys = schema.keyFingerprint, indexes = schema.indexFingerprint
                let row = try Row.fetchOne(
                    db, sql: "SELECT keySchema, indexSchema, timeToLiveAttribute FROM tableSchemas WHERE tableName = ?", arguments: [schema.name])
                if let row {
                    let storedKeys: String = row["keySchema"], storedIndexes: String = row["indexSchema"]
                    if storedKeys != keys, try ItemRows.count(db, table: schema.name) > 0 {
                        throw TableError.validation(
                            "table \(schema.name): the key schema changed from \(storedKeys) to \(keys), but the stored items use the old keys; "
                                + "restore the key schema, or remove the simulator's state (--state directory) to start afresh")
                    }
                    if storedIndexes != indexes { try ItemRows.rebuildIndexEntries(db, schema: schema) }
                    let storedTTL: String? = row["timeToLiveAttribute"]
                    if storedTTL != schema.timeToLiveAttribute { try ItemRows.recomputeExpiry(db, schema: schema) }
                } else if try ItemRows.count(db, table: schema.name) > 0 {
                    try ItemRows.rebuildIndexEntries(db, schema: schema)
                    try ItemRows.recomputeExpiry(db, schema: schema)
                }
                try db.execute(
                    sql: "INSERT OR REPLACE INTO tableSchemas (tableName, keySchema, indexSchema, timeToLiveAttribute) VALUES (?, ?, ?, ?)",
                    arguments: [schema.name, keys, indexes, schema.timeToLiveAttribute])
            }
        }
    }
}

extension TableSchema {
    /// The key schema as stored, to notice changes: `taskId:S` or `pk:S,sk:N`.
    var keyFingerprint: String {
        ([partitionKey] + [sortKey].compactMap { $0 }).map { "\($0.name):\($0.typeName)" }.joined(separator: ",")
    }

    /// The indexes as stored, to notice changes.
    var indexFingerprint: String {
        indexes.sorted { $0.name < $1.name }.map { index in
            let keys = ([index.partitionKey] + [index.sortKey].compactMap { $0 }).map { "\($0.name):\($0.typeName)" }.joined(separator: ",")
            return "\(index.name)(\(keys))\(index.projection.typeName)\(index.projection.nonKeyAttributes.sorted())"
        }.joined(separator: ";")
    }
}

/// A stored key: the partition and sort key bytes (empty sort key for hash-only tables).
struct StoredKey: Hashable, Sendable {
    var pk: Data
    var sk: Data
}

/// Row-level access within one transaction.
enum ItemRows {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static func encode(_ item: TableItem) throws -> Data {
        try encoder.encode(item)
    }

    static let decoder = JSONDecoder()

    static func decode(_ data: Data) throws -> TableItem {
        try decoder.decode(TableItem.self, from: data)
    }

    static func get(_ db: Database, table: String, key: StoredKey) throws -> TableItem? {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT item FROM items WHERE tableName = ? AND pk = ? AND sk = ?",
                arguments: [table, key.pk, key.sk])
        else { return nil }
        let data: Data = row["item"]
        return try decode(data)
    }

    /// Writes the item and replaces its index entries.
    static func put(_ db: Database, schema: TableSchema, key: StoredKey, item: TableItem) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO items (tableName, pk, sk, item, expiresAt) VALUES (?, ?, ?, ?, ?)",
            arguments: [schema.name, key.pk, key.sk, try encode(item), expiry(of: item, schema: schema)])
        try deleteIndexEntries(db, schema: schema, key: key)
        try insertIndexEntries(db, schema: schema, key: key, item: item)
    }

    /// One entry per index whose key attributes the item has (indexes are sparse).
    static func insertIndexEntries(_ db: Database, schema: TableSchema, key: StoredKey, item: TableItem) throws {
        for index in schema.indexes {
            guard let ipk = item[index.partitionKey.name]?.sortableKeyBytes else { continue }
            var isk: [UInt8] = []
            if let sortKey = index.sortKey {
                guard let bytes = item[sortKey.name]?.sortableKeyBytes else { continue }
                isk = bytes
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO indexEntries (tableName, indexName, ipk, isk, pk, sk) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [schema.name, index.name, Data(ipk), Data(isk), key.pk, key.sk])
        }
    }

    /// Replaces every index entry of a table with entries computed from its items.
    static func rebuildIndexEntries(_ db: Database, schema: TableSchema) throws {
        try db.execute(sql: "DELETE FROM indexEntries WHERE tableName = ?", arguments: [schema.name])
        let rows = try Row.fetchCursor(db, sql: "SELECT pk, sk, item FROM items WHERE tableName = ?", arguments: [schema.name])
        while let row = try rows.next() {
            try insertIndexEntries(db, schema: schema, key: StoredKey(pk: row["pk"], sk: row["sk"]), item: try decode(row["item"]))
        }
    }

    /// The item's TTL in epoch seconds: its TTL attribute when that is a number.
    static func expiry(of item: TableItem, schema: TableSchema) -> Int64? {
        guard let attribute = schema.timeToLiveAttribute, case .number(let text) = item[attribute], let seconds = Double(text),
            seconds.isFinite, abs(seconds) < 1e15
        else { return nil }
        return Int64(seconds.rounded(.down))
    }

    /// Sets every item's TTL column of a table from its TTL attribute (after the attribute changed).
    static func recomputeExpiry(_ db: Database, schema: TableSchema) throws {
        let rows = try Row.fetchAll(db, sql: "SELECT pk, sk, item FROM items WHERE tableName = ?", arguments: [schema.name])
        for row in rows {
            try db.execute(
                sql: "UPDATE items SET expiresAt = ? WHERE tableName = ? AND pk = ? AND sk = ?",
                arguments: [expiry(of: try decode(row["item"]), schema: schema), schema.name, row["pk"] as Data, row["sk"] as Data])
        }
    }

    static func delete(_ db: Database, schema: TableSchema, key: StoredKey) throws {
        try db.execute(sql: "DELETE FROM items WHERE tableName = ? AND pk = ? AND sk = ?", arguments: [schema.name, key.pk, key.sk])
        try deleteIndexEntries(db, schema: schema, key: key)
    }

    private static func deleteIndexEntries(_ db: Database, schema: TableSchema, key: StoredKey) throws {
        try db.execute(sql: "DELETE FROM indexEntries WHERE tableName = ? AND pk = ? AND sk = ?", arguments: [schema.name, key.pk, key.sk])
    }

    static func count(_ db: Database, table: String) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM items WHERE tableName = ?", arguments: [table]) ?? 0
    }
}
