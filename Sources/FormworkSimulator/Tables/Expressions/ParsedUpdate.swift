import FormworkRuntime

/// A parsed `UpdateExpression`, with its placeholders resolved, ready to apply to items.
public struct ParsedUpdate: Sendable {
    let actions: [UpdateAction]

    /// Top-level attribute names the update touches (so key attributes can be protected by the
    /// caller).
    public var touchedAttributes: Set<String> {
        Set(actions.map(\.path.attributeName))
    }

    /// Applies SET/REMOVE/ADD/DELETE to `item`; returns the new item and the top-level attribute
    /// names it changed (for UPDATED_OLD / UPDATED_NEW): every top-level attribute an action
    /// targets, which is ``touchedAttributes``.
    ///
    /// As in DynamoDB, every SET value is computed from the item as it was before the update,
    /// list indexes refer to the list as it was (`REMOVE l[0], l[1]` removes the first two
    /// elements; a SET past the end appends), and a path whose parent is missing or of the wrong
    /// type is an error.
    ///
    /// - Throws: ``TableError/validation(_:)`` with DynamoDB's messages:
    ///   `The provided expression refers to an attribute that does not exist in the item`,
    ///   `An operand in the update expression has an incorrect data type`,
    ///   `The document path provided in the update expression is invalid for update`, or a
    ///   number out of DynamoDB's range.
    public func apply(to item: TableItem) throws(TableError) -> (item: TableItem, updated: Set<String>) {
        var tree: [DocumentPath.Element: UpdateNode] = [:]
        for action in actions {
            let operation: ResolvedOperation
            switch action.operation {
            case .set(let value): operation = .set(try value.evaluate(in: item))
            case .remove: operation = .remove
            case .add(let value): operation = .add(value)
            case .delete(let value): operation = .delete(value)
            }
            UpdateNode.insert(operation, at: action.path.elements[...], into: &tree)
        }
        var result = item
        try UpdateNode.apply(tree, toMap: &result)
        return (result, touchedAttributes)
    }
}

/// One action of an update.
struct UpdateAction: Sendable {
    let path: DocumentPath
    let operation: UpdateOperation
}

/// What an action does at its path.
enum UpdateOperation: Sendable {
    case set(UpdateValue)
    case remove
    case add(AttributeValue)
    case delete(AttributeValue)
}

/// The value side of a SET action.
indirect enum UpdateValue: Sendable {
    case path(DocumentPath)
    case value(AttributeValue)
    case plus(UpdateValue, UpdateValue)
    case minus(UpdateValue, UpdateValue)
    case ifNotExists(DocumentPath, UpdateValue)
    case listAppend(UpdateValue, UpdateValue)

    static let missingAttribute = TableError.validation("The provided expression refers to an attribute that does not exist in the item")
    static let incorrectType = TableError.validation("An operand in the update expression has an incorrect data type")

    /// The type known before any item is read (values only, as DynamoDB checks).
    var immediateType: String? {
        if case .value(let value) = self { return value.typeName }
        return nil
    }

    func evaluate(in item: TableItem) throws(TableError) -> AttributeValue {
        switch self {
        case .path(let path):
            guard let value = path.value(in: item) else { throw Self.missingAttribute }
            return value
        case .value(let value):
            return value
        case .plus(let left, let right), .minus(let left, let right):
            guard case .number(let a) = try left.evaluate(in: item) else { throw Self.incorrectType }
            guard case .number(let b) = try right.evaluate(in: item) else { throw Self.incorrectType }
            let x = try DynamoNumber(parsing: a)
            let y = try DynamoNumber(parsing: b)
            if case .plus = self { return .number(try DynamoNumber.adding(x, y).description) }
            return .number(try DynamoNumber.subtracting(x, y).description)
        case .ifNotExists(let path, let fallback):
            if let value = path.value(in: item) { return value }
            return try fallback.evaluate(in: item)
        case .listAppend(let left, let right):
            guard case .list(let first) = try left.evaluate(in: item) else { throw Self.incorrectType }
            guard case .list(let second) = try right.evaluate(in: item) else { throw Self.incorrectType }
            return .list(first + second)
        }
    }
}

/// An action with its SET value computed.
enum ResolvedOperation: Sendable {
    case set(AttributeValue)
    case remove
    case add(AttributeValue)
    case delete(AttributeValue)

    /// The new value where the action applies, given the value there now; nil removes it.
    func apply(to existing: AttributeValue?) throws(TableError) -> AttributeValue? {
        switch self {
        case .set(let value):
            return value
        case .remove:
            return nil
        case .add(let value):
            switch (existing, value) {
            case (nil, .number(let text)):
                return .number(try DynamoNumber.adding(.zero, DynamoNumber(parsing: text)).description)
            case (.number(let current)?, .number(let text)):
                return .number(try DynamoNumber.adding(DynamoNumber(parsing: current), DynamoNumber(parsing: text)).description)
            case (nil, .stringSet(let added)):
                return .stringSet(SetMembers.union([], added, ==))
            case (.stringSet(let current)?, .stringSet(let added)):
                return .stringSet(SetMembers.union(current, added, ==))
            case (nil, .numberSet(let added)):
                return .numberSet(SetMembers.union([], added, SetMembers.sameNumber))
            case (.numberSet(let current)?, .numberSet(let added)):
                return .numberSet(SetMembers.union(current, added, SetMembers.sameNumber))
            case (nil, .binarySet(let added)):
                return .binarySet(SetMembers.union([], added, ==))
            case (.binarySet(let current)?, .binarySet(let added)):
                return .binarySet(SetMembers.union(current, added, ==))
            default:
                throw UpdateValue.incorrectType
            }
        case .delete(let value):
            guard let existing else { return nil }
            switch (existing, value) {
            case (.stringSet(let current), .stringSet(let removed)):
                let rest = SetMembers.difference(current, removed, ==)
                return rest.isEmpty ? nil : .stringSet(rest)
            case (.numberSet(let current), .numberSet(let removed)):
                let rest = SetMembers.difference(current, removed, SetMembers.sameNumber)
                return rest.isEmpty ? nil : .numberSet(rest)
            case (.binarySet(let current), .binarySet(let removed)):
                let rest = SetMembers.difference(current, removed, ==)
                return rest.isEmpty ? nil : .binarySet(rest)
            default:
                throw UpdateValue.incorrectType
            }
        }
    }
}

/// Set arithmetic that keeps the members' order.
enum SetMembers {
    static func union<Member>(_ current: [Member], _ added: [Member], _ same: (Member, Member) -> Bool) -> [Member] {
        var result = current
        for member in added where !result.contains(where: { same($0, member) }) {
            result.append(member)
        }
        return result
    }

    static func difference<Member>(_ current: [Member], _ removed: [Member], _ same: (Member, Member) -> Bool) -> [Member] {
        current.filter { member in !removed.contains { same($0, member) } }
    }

    /// Numbers are the same member when equal in value (`1` and `1.0`).
    static func sameNumber(_ a: String, _ b: String) -> Bool {
        AttributeValue.number(a).dynamoEquals(.number(b))
    }
}

/// The actions of an update arranged by path, so that each container is rebuilt once and list
/// indexes refer to the list as it was.
indirect enum UpdateNode: Sendable {
    case action(ResolvedOperation)
    case children([DocumentPath.Element: UpdateNode])

    static let invalidPath = TableError.validation("The document path provided in the update expression is invalid for update")

    static func insert(
        _ operation: ResolvedOperation, at elements: ArraySlice<DocumentPath.Element>, into tree: inout [DocumentPath.Element: UpdateNode]
    ) {
        guard let first = elements.first else { return }
        let rest = elements.dropFirst()
        if rest.isEmpty {
            tree[first] = .action(operation)
            return
        }
        var children: [DocumentPath.Element: UpdateNode] = [:]
        if case .children(let existing)? = tree[first] { children = existing }
        insert(operation, at: rest, into: &children)
        tree[first] = .children(children)
    }

    /// Applies the actions under a map (or the item itself).
    static func apply(_ tree: [DocumentPath.Element: UpdateNode], toMap members: inout [String: AttributeValue]) throws(TableError) {
        for element in tree.keys.sorted() {
            guard case .name(let name) = element, let node = tree[element] else { throw invalidPath }
            switch node {
            case .action(let operation):
                members[name] = try operation.apply(to: members[name])
            case .children(let children):
                guard let existing = members[name] else { throw invalidPath }
                members[name] = try apply(children, to: existing)
            }
        }
    }

    /// Applies the actions under a map or list value.
    private static func apply(_ tree: [DocumentPath.Element: UpdateNode], to value: AttributeValue) throws(TableError) -> AttributeValue {
        switch value {
        case .map(var members):
            try apply(tree, toMap: &members)
            return .map(members)
        case .list(let values):
            return .list(try apply(tree, toList: values))
        default:
            throw invalidPath
        }
    }

    private static func apply(_ tree: [DocumentPath.Element: UpdateNode], toList values: [AttributeValue]) throws(TableError) -> [AttributeValue] {
        var byIndex: [Int: UpdateNode] = [:]
        for (element, node) in tree {
            guard case .index(let index) = element else { throw invalidPath }
            byIndex[index] = node
        }
        var result: [AttributeValue] = []
        for (index, value) in values.enumerated() {
            switch byIndex[index] {
            case nil:
                result.append(value)
            case .action(let operation)?:
                if let updated = try operation.apply(to: value) { result.append(updated) }
            case .children(let children)?:
                result.append(try apply(children, to: value))
            }
        }
        // Actions past the end: a SET (or ADD) appends, in index order; REMOVE and DELETE do nothing.
        for index in byIndex.keys.filter({ $0 >= values.count }).sorted() {
            switch byIndex[index] {
            case .action(let operation)?:
                if let added = try operation.apply(to: nil) { result.append(added) }
            case .children?:
                throw invalidPath
            case nil:
                continue
            }
        }
        return result
    }
}

/// Resolution and checks of updates.
extension ExpressionResolver {
    mutating func update(_ raw: RawUpdate) -> [UpdateAction] {
        for clause in raw.repeatedClauses {
            note(.repeatedClause, "The \"\(clause)\" section can only be used once in an update expression;")
        }
        var paths: [DocumentPath] = []
        var actions: [UpdateAction] = []
        for rawAction in raw.actions {
            switch rawAction {
            case .set(let rawPath, let rawValue):
                let path = resolve(rawPath)
                let value = updateValue(rawValue)
                checkOverlap(path, with: &paths)
                actions.append(UpdateAction(path: path, operation: .set(value)))
            case .remove(let rawPath):
                let path = resolve(rawPath)
                checkOverlap(path, with: &paths)
                actions.append(UpdateAction(path: path, operation: .remove))
            case .add(let rawPath, let placeholder):
                let path = resolve(rawPath)
                let value = resolveValue(placeholder)
                checkOverlap(path, with: &paths)
                switch value {
                case .number, .stringSet, .numberSet, .binarySet: break
                default: noteOperandType("ADD", value)
                }
                actions.append(UpdateAction(path: path, operation: .add(value)))
            case .delete(let rawPath, let placeholder):
                let path = resolve(rawPath)
                let value = resolveValue(placeholder)
                checkOverlap(path, with: &paths)
                switch value {
                case .stringSet, .numberSet, .binarySet: break
                default: noteOperandType("DELETE", value)
                }
                actions.append(UpdateAction(path: path, operation: .delete(value)))
            }
        }
        return actions
    }

    /// DynamoDB names the set of types allowed for ADD in this message for DELETE as well.
    private mutating func noteOperandType(_ clause: String, _ value: AttributeValue) {
        note(
            .operandType,
            "Incorrect operand type for operator or function; operator: \(clause), operand type: \(ExpressionWording.longTypeName(value)), typeSet: ALLOWED_FOR_ADD_OPERAND"
        )
    }

    private mutating func updateValue(_ raw: RawOperand) -> UpdateValue {
        switch raw {
        case .path(let path):
            return .path(resolve(path))
        case .value(let placeholder):
            return .value(resolveValue(placeholder))
        case .group(let inner):
            return updateValue(inner)
        case .arithmetic(let symbol, let left, let right):
            countOperator()
            let operands = [updateValue(left), updateValue(right)]
            for operand in operands {
                if let type = operand.immediateType, type != "N" {
                    note(.function, "Incorrect operand type for operator or function; operator or function: \(symbol), operand type: \(type)")
                }
            }
            return symbol == "+" ? .plus(operands[0], operands[1]) : .minus(operands[0], operands[1])
        case .call(let name, let arguments):
            var operands: [UpdateValue] = []
            for argument in arguments { operands.append(updateValue(argument)) }
            guard Self.updateFunctions.contains(name) else {
                if Self.conditionFunctions.contains(name) {
                    note(.unknownFunction, "The function is not allowed in an update expression; function: \(name)")
                } else {
                    note(.unknownFunction, "Invalid function name; function: \(name)")
                }
                return .value(.null)
            }
            countOperator()
            guard operands.count == 2 else {
                note(
                    .operandCount,
                    "Incorrect number of operands for operator or function; operator or function: \(name), number of operands: \(operands.count)")
                return .value(.null)
            }
            if name == "if_not_exists" {
                guard case .path(let path) = operands[0] else {
                    note(.function, "Operator or function requires a document path; operator or function: \(name)")
                    return .value(.null)
                }
                return .ifNotExists(path, operands[1])
            }
            for operand in operands {
                if let type = operand.immediateType, type != "L" {
                    note(.function, "Incorrect operand type for operator or function; operator or function: \(name), operand type: \(type)")
                }
            }
            return .listAppend(operands[0], operands[1])
        }
    }
}
