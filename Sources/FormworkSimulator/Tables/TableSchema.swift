import Formwork
import FormworkRuntime

/// One simulated table as the blueprint declares it: the model's key attributes and indexes,
/// with the physical name the simulator serves it under.
public struct TableSchema: Sendable, Equatable {
    /// The physical table name.
    public let name: String
    /// The blueprint's logical ID.
    public let logicalID: String
    public let partitionKey: KeyAttribute
    public let sortKey: KeyAttribute?
    public let indexes: [GlobalIndex]
    /// Every key attribute of the table and its indexes, once each.
    public let keyAttributes: [KeyAttribute]
    /// The TTL attribute, if any.
    public let timeToLiveAttribute: String?

    /// The schema of a blueprint table; tables without a physical name use their logical ID.
    public init(_ table: Table) {
        name = table.tableName ?? table.name
        logicalID = table.name
        partitionKey = table.partitionKey
        sortKey = table.sortKey
        indexes = table.indexes
        keyAttributes = table.keyAttributes
        timeToLiveAttribute = table.timeToLiveAttribute
    }

    /// The table's key attribute names.
    var keyNames: [String] { [partitionKey.name] + (sortKey.map { [$0.name] } ?? []) }

    func index(named name: String) throws(TableError) -> GlobalIndex {
        guard let index = indexes.first(where: { $0.name == name }) else {
            throw .validation("The table does not have the specified index: \(name)")
        }
        return index
    }

    /// The item reduced to what an index projects.
    func project(_ item: TableItem, for index: GlobalIndex) -> TableItem {
        if index.projection == .all { return item }
        let names = Set(keyNames + [index.partitionKey.name] + [index.sortKey?.name].compactMap { $0 } + index.projection.nonKeyAttributes)
        return item.filter { names.contains($0.key) }
    }
}

extension KeyAttribute {
    /// DynamoDB's type name of the key: `S`, `N` or `B`.
    var typeName: String { type.rawValue }
}
