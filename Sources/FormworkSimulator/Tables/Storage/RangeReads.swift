import FormworkRuntime
import Foundation
import GRDB

/// A range of stored key bytes.
struct ByteRange: Sendable {
    var lower: (bytes: Data, inclusive: Bool)?
    var upper: (bytes: Data, inclusive: Bool)?

    static let all = ByteRange()

    /// Keys starting with `prefix`.
    static func prefix(_ prefix: Data) -> ByteRange {
        var upper = Array(prefix)
        while let last = upper.last, last == 0xFF { upper.removeLast() }
        guard let last = upper.last else { return ByteRange(lower: (prefix, true)) }
        upper[upper.count - 1] = last + 1
        return ByteRange(lower: (prefix, true), upper: (Data(upper), false))
    }
}

/// One stored row read in key order: its position (the key columns, in order) and item.
struct KeyedRow {
    var position: [Data]
    var item: TableItem
}

/// Reads of consecutive rows in key order, from a position, for queries and scans.
enum RangeReads {
    /// Rows of one partition of a table, sort key in `range`, after `position` ([sk]).
    static func table(
        _ db: Database, table: String, pk: Data, range: ByteRange, after position: [Data]?,
        forward: Bool, limit: Int
    ) throws -> [KeyedRow] {
        var sql = "SELECT sk, item FROM items WHERE tableName = ? AND pk = ?"
        var arguments: [any DatabaseValueConvertible] = [table, pk]
        append(range, column: "sk", to: &sql, &arguments)
        if let position { sql += " AND sk \(forward ? ">" : "<") ?"; arguments += position }
        sql += " ORDER BY sk \(forward ? "ASC" : "DESC") LIMIT \(limit)"
        return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
            KeyedRow(position: [row["sk"]], item: try ItemRows.decode(row["item"]))
        }
    }

    /// Rows of one index partition, index sort key in `range`, after `position` ([isk, pk, sk]).
    static func index(
        _ db: Database, table: String, index: String, ipk: Data, range: ByteRange, after position: [Data]?,
        forward: Bool, limit: Int
    ) throws -> [KeyedRow] {
        var sql = """
            SELECT e.isk, e.pk, e.sk, i.item FROM indexEntries e
            JOIN items i ON i.tableName = e.tableName AND i.pk = e.pk AND i.sk = e.sk
            WHERE e.tableName = ? AND e.indexName = ? AND e.ipk = ?
            """
        var arguments: [any DatabaseValueConvertible] = [table, index, ipk]
        append(range, column: "e.isk", to: &sql, &arguments)
        if let position { sql += " AND (e.isk, e.pk, e.sk) \(forward ? ">" : "<") (?, ?, ?)"; arguments += position }
        let order = forward ? "ASC" : "DESC"
        sql += " ORDER BY e.isk \(order), e.pk \(order), e.sk \(order) LIMIT \(limit)"
        return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
            KeyedRow(position: [row["isk"], row["pk"], row["sk"]], item: try ItemRows.decode(row["item"]))
        }
    }

    /// All rows of a table in key order, after `position` ([pk, sk]).
    static func scanTable(_ db: Database, table: String, after position: [Data]?, limit: Int) throws -> [KeyedRow] {
        var sql = "SELECT pk, sk, item FROM items WHERE tableName = ?"
        var arguments: [any DatabaseValueConvertible] = [table]
        if let position { sql += " AND (pk, sk) > (?, ?)"; arguments += position }
        sql += " ORDER BY pk, sk LIMIT \(limit)"
        return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
            KeyedRow(position: [row["pk"], row["sk"]], item: try ItemRows.decode(row["item"]))
        }
    }

    /// All rows of an index in key order, after `position` ([ipk, isk, pk, sk]).
    static func scanIndex(_ db: Database, table: String, index: String, after position: [Data]?, limit: Int) throws -> [KeyedRow] {
        var sql = """
            SELECT e.ipk, e.isk, e.pk, e.sk, i.item FROM indexEntries e
            JOIN items i ON i.tableName = e.tableName AND i.pk = e.pk AND i.sk = e.sk
            WHERE e.tableName = ? AND e.indexName = ?
            """
        var arguments: [any DatabaseValueConvertible] = [table, index]
        if let position { sql += " AND (e.ipk, e.isk, e.pk, e.sk) > (?, ?, ?, ?)"; arguments += position }
        sql += " ORDER BY e.ipk, e.isk, e.pk, e.sk LIMIT \(limit)"
        return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
            KeyedRow(position: [row["ipk"], row["isk"], row["pk"], row["sk"]], item: try ItemRows.decode(row["item"]))
        }
    }

    private static func append(_ range: ByteRange, column: String, to sql: inout String, _ arguments: inout [any DatabaseValueConvertible]) {
        if let lower = range.lower {
            sql += " AND \(column) \(lower.inclusive ? ">=" : ">") ?"
            arguments.append(lower.bytes)
        }
        if let upper = range.upper {
            sql += " AND \(column) \(upper.inclusive ? "<=" : "<") ?"
            arguments.append(upper.bytes)
        }
    }
}
