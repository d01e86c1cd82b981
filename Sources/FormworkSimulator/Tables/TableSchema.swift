import Formwork
import FormworkRuntime

/// The key schema and indexes of one simulated table, taken from the blueprint.
public struct TableSchema: Sendable, Equatable {
    /// A key attribute: name and DynamoDB scalar type (`S`, `N`, `B`).
    public struct Key: Sendable, Equatable {
        public var name: String
        public var type: String

        /// A key attribute of type `S`, `N` or `B`.
        public init(name: String, type: String) {
            self.name = name
            self.type = type
        }
    }

    /// A global secondary index.
    public struct Index: Sendable, Equatable {
        public var name: String
        public var partitionKey: Key
        public var sortKey: Key?
        /// `ALL`, `KEYS_ONLY` or `INCLUDE`.
        public var projectionType: String
        /// The non-key attributes of an `INCLUDE` projection.
        public var includedAttributes: [String]

        /// An index.
        public init(name: String, partitionKey: Key, sortKey: Key? = nil, projectionType: String = "ALL", includedAttributes: [String] = []) {
            self.name = name
            self.partitionKey = partitionKey
            self.sortKey = sortKey
            self.projectionType = projectionType
            self.includedAttributes = includedAttributes
        }
    }

    /// The physical table name.
    public var name: String
    public var partitionKey: Key
    public var sortKey: Key?
    public var indexes: [Index]
    /// The TTL attribute, if any.
    public var timeToLiveAttribute: String?
    /// The blueprint's logical ID.
    public var logicalID: String

    /// The schema of a blueprint table; tables without a physical name use their logical ID.
    public init(_ table: Table) {
        name = table.tableName ?? table.name
        logicalID = table.name
        partitionKey = Key(name: table.partitionKey.name, type: table.partitionKey.type.rawValue)
        sortKey = table.sortKey.map { Key(name: $0.name, type: $0.type.rawValue) }
        indexes = table.indexes.map { index in
            let (type, included): (String, [String]) =
                switch index.projection {
                case .all: ("ALL", [])
                case .keysOnly: ("KEYS_ONLY", [])
                case .include(let attributes): ("INCLUDE", attributes)
                }
            return Index(
                name: index.name, partitionKey: Key(name: index.partitionKey.name, type: index.partitionKey.type.rawValue),
                sortKey: index.sortKey.map { Key(name: $0.name, type: $0.type.rawValue) }, projectionType: type,
                includedAttributes: included)
        }
        timeToLiveAttribute = table.timeToLiveAttribute
    }

    /// A schema given directly (tests, benchmarks).
    public init(name: String, partitionKey: Key, sortKey: Key? = nil, indexes: [Index] = [], timeToLiveAttribute: String? = nil) {
        self.name = name
        self.logicalID = name
        self.partitionKey = partitionKey
        self.sortKey = sortKey
        self.indexes = indexes
        self.timeToLiveAttribute = timeToLiveAttribute
    }

    /// The table's key attribute names.
    var keyNames: [String] { [partitionKey.name] + (sortKey.map { [$0.name] } ?? []) }

    /// Every attribute the table or an index uses as a key, with its type.
    var keyAttributeTypes: [String: String] {
        var types: [String: String] = [:]
        for key in [partitionKey] + [sortKey].compactMap({ $0 }) + indexes.flatMap({ [$0.partitionKey] + [$0.sortKey].compactMap { $0 } }) {
            types[key.name] = key.type
        }
        return types
    }

    func index(named name: String) throws(TableError) -> Index {
        guard let index = indexes.first(where: { $0.name == name }) else {
            throw .validation("The table does not have the specified index: \(name)")
        }
        return index
    }

    /// The item reduced to what an index projects.
    func project(_ item: TableItem, for index: Index) -> TableItem {
        switch index.projectionType {
        case "ALL": return item
        default:
            var names = Set(keyNames + [index.partitionKey.name] + [index.sortKey?.name].compactMap { $0 })
            if index.projectionType == "INCLUDE" { names.formUnion(index.includedAttributes) }
            return item.filter { names.contains($0.key) }
        }
    }
}
