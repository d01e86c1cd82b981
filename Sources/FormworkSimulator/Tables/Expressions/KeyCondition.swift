import FormworkRuntime

/// A parsed `KeyConditionExpression`: the partition to read and, optionally, the range of sort
/// keys within it.
public struct KeyCondition: Sendable, Equatable {
    /// The partition key's value (`S`, `N` or `B`).
    public var partitionValue: AttributeValue
    /// The condition on the sort key, if the expression has one.
    public var sortCondition: SortCondition?

    /// A condition on the sort key; every value is `S`, `N` or `B`.
    public enum SortCondition: Sendable, Equatable {
        /// `sk = :v`.
        case equal(AttributeValue)
        /// `sk < :v`.
        case less(AttributeValue)
        /// `sk <= :v`.
        case lessOrEqual(AttributeValue)
        /// `sk > :v`.
        case greater(AttributeValue)
        /// `sk >= :v`.
        case greaterOrEqual(AttributeValue)
        /// `sk BETWEEN :low AND :high`, both bounds included.
        case between(AttributeValue, AttributeValue)
        /// `begins_with(sk, :prefix)`, for `S` and `B` keys.
        case beginsWith(AttributeValue)

        /// Whether an item's sort key value meets the condition (false when it has none, or one
        /// of another type).
        public func matches(_ value: AttributeValue?) -> Bool {
            guard let value else { return false }
            switch self {
            case .equal(let other): return value.dynamoCompare(other) == 0
            case .less(let other): return value.dynamoCompare(other).map { $0 < 0 } ?? false
            case .lessOrEqual(let other): return value.dynamoCompare(other).map { $0 <= 0 } ?? false
            case .greater(let other): return value.dynamoCompare(other).map { $0 > 0 } ?? false
            case .greaterOrEqual(let other): return value.dynamoCompare(other).map { $0 >= 0 } ?? false
            case .between(let low, let high):
                guard let fromLow = value.dynamoCompare(low), let fromHigh = value.dynamoCompare(high) else { return false }
                return fromLow >= 0 && fromHigh <= 0
            case .beginsWith(let prefix): return ConditionNode.beginsWith(value, prefix)
            }
        }
    }

    /// Creates a key condition.
    public init(partitionValue: AttributeValue, sortCondition: SortCondition? = nil) {
        self.partitionValue = partitionValue
        self.sortCondition = sortCondition
    }
}

/// Turns a resolved condition into a key condition, with DynamoDB's messages for what a key
/// condition cannot say.
struct KeyConditionBuilder {
    let partitionKey: String
    let sortKey: String?

    /// One condition on one key attribute.
    private enum Part {
        case compare(Comparator, AttributeValue)
        case between(AttributeValue, AttributeValue)
        case beginsWith(AttributeValue)
    }

    func build(_ root: ConditionNode) throws(TableError) -> KeyCondition {
        var parts: [(name: String, part: Part)] = []
        try collect(root, into: &parts)

        guard let partition = parts.first(where: { $0.name == partitionKey }) else {
            throw .validation("Query condition missed key schema element: \(partitionKey)")
        }
        var sort: Part?
        if parts.count > 1 {
            guard let sortKey, parts.count == 2 else { throw .validation("Query key condition not supported") }
            guard let sortPart = parts.first(where: { $0.name == sortKey }) else {
                throw .validation("Query condition missed key schema element: \(sortKey)")
            }
            sort = sortPart.part
        }
        guard case .compare(.equal, let partitionValue) = partition.part else {
            throw .validation("Query key condition not supported")
        }
        try Self.checkKeyType(partitionValue)

        var sortCondition: KeyCondition.SortCondition?
        switch sort {
        case nil:
            sortCondition = nil
        case .compare(let comparator, let value)?:
            try Self.checkKeyType(value)
            switch comparator {
            case .equal: sortCondition = .equal(value)
            case .less: sortCondition = .less(value)
            case .lessOrEqual: sortCondition = .lessOrEqual(value)
            case .greater: sortCondition = .greater(value)
            case .greaterOrEqual: sortCondition = .greaterOrEqual(value)
            case .notEqual: throw .validation("Invalid operator used in KeyConditionExpression: <>")
            }
        case .between(let low, let high)?:
            try Self.checkKeyType(low)
            try Self.checkKeyType(high)
            sortCondition = .between(low, high)
        case .beginsWith(let prefix)?:
            try Self.checkKeyType(prefix)
            sortCondition = .beginsWith(prefix)
        }
        return KeyCondition(partitionValue: partitionValue, sortCondition: sortCondition)
    }

    private static func checkKeyType(_ value: AttributeValue) throws(TableError) {
        switch value {
        case .string, .number, .binary: return
        default: throw .validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
        }
    }

    /// Flattens the ANDs of the condition into one part per key attribute.
    private func collect(_ node: ConditionNode, into parts: inout [(name: String, part: Part)]) throws(TableError) {
        switch node {
        case .and(let left, let right):
            try collect(left, into: &parts)
            try collect(right, into: &parts)
            return
        case .or: throw Self.invalidOperator("OR")
        case .not: throw Self.invalidOperator("NOT")
        case .inList: throw Self.invalidOperator("IN")
        case .compare(.notEqual, _, _): throw Self.invalidOperator("<>")
        case .attributeExists: throw Self.invalidOperator("attribute_exists")
        case .attributeNotExists: throw Self.invalidOperator("attribute_not_exists")
        case .attributeType: throw Self.invalidOperator("attribute_type")
        case .contains: throw Self.invalidOperator("contains")
        case .invalid: throw .validation("Query key condition not supported")
        case .compare(let comparator, let left, let right):
            let (name, value, keyOnLeft) = try keyAndValue([left, right])
            let flipped: Comparator
            switch comparator {
            case .less: flipped = keyOnLeft ? .less : .greater
            case .lessOrEqual: flipped = keyOnLeft ? .lessOrEqual : .greaterOrEqual
            case .greater: flipped = keyOnLeft ? .greater : .less
            case .greaterOrEqual: flipped = keyOnLeft ? .greaterOrEqual : .lessOrEqual
            default: flipped = comparator
            }
            try add(name, .compare(flipped, value), to: &parts)
        case .between(let operand, let lower, let upper):
            guard case .path = operand else {
                throw .validation(
                    "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand")
            }
            let name = try keyName([operand, lower, upper])
            guard case .value(let low) = lower, case .value(let high) = upper else {
                throw .validation("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition")
            }
            try add(name, .between(low, high), to: &parts)
        case .beginsWith(let operand, let prefix):
            guard case .path = operand else {
                throw .validation(
                    "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand")
            }
            let name = try keyName([operand, prefix])
            guard case .value(let value) = prefix else {
                throw .validation("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition")
            }
            try add(name, .beginsWith(value), to: &parts)
        }
    }

    private func add(_ name: String, _ part: Part, to parts: inout [(name: String, part: Part)]) throws(TableError) {
        if parts.contains(where: { $0.name == name }) {
            throw .validation("KeyConditionExpressions must only contain one condition per key")
        }
        parts.append((name, part))
    }

    /// The one key attribute among the operands.
    private func keyName(_ operands: [OperandNode]) throws(TableError) -> String {
        var name: String?
        for operand in operands {
            switch operand {
            case .size:
                throw .validation("KeyConditionExpressions cannot contain nested operations")
            case .path(let path):
                if name != nil {
                    throw .validation("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition")
                }
                if path.elements.count > 1 {
                    throw .validation("KeyConditionExpressions cannot have conditions on nested attributes")
                }
                name = path.attributeName
            case .value:
                continue
            }
        }
        guard let name else { throw .validation("Invalid condition in KeyConditionExpression: No key attribute specified") }
        return name
    }

    /// The key attribute and the value of a two-operand comparison, and which side the key is on.
    private func keyAndValue(_ operands: [OperandNode]) throws(TableError) -> (String, AttributeValue, Bool) {
        let name = try keyName(operands)
        for (position, operand) in operands.enumerated() {
            if case .value(let value) = operand {
                return (name, value, position == 1)
            }
        }
        throw .validation("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition")
    }

    private static func invalidOperator(_ name: String) -> TableError {
        .validation("Invalid operator used in KeyConditionExpression: \(name)")
    }
}
