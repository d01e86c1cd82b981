import FormworkRuntime

/// DynamoDB's expression language: parses condition, filter, key condition, update and
/// projection expressions, resolving their `#name` and `:value` placeholders from a request's
/// ``ExpressionAttributes``.
///
/// Every malformed expression is a ``TableError/validation(_:)`` in DynamoDB's words, such as
/// `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "a ="` or
/// `Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status`.
///
/// ```swift
/// var item: TableItem = ["taskId": "t-1", "status": "open", "version": 1]
/// let attributes = FormworkSimulator.ExpressionAttributes(names: ["#s": "status"], values: [":open": "open", ":one": 1])
/// let condition = try Expressions.condition("#s = :open", attributes)
/// let update = try Expressions.update("ADD version :one", attributes)
/// try attributes.checkAllUsed()
/// if try condition.evaluate(item) { item = try update.apply(to: item).item }
/// ```
public enum Expressions {
    /// Parses a condition: `ConditionExpression`, or `FilterExpression` when `kind` says so (the
    /// kind names the expression in error messages).
    public static func condition(
        _ text: String, _ attributes: ExpressionAttributes, kind: String = "ConditionExpression"
    ) throws(TableError) -> ParsedCondition {
        ParsedCondition(root: try resolvedCondition(text, attributes, kind: kind))
    }

    /// Parses a `KeyConditionExpression` for an index or table keyed by `partitionKey` (and
    /// `sortKey`): `pk = :v`, optionally `AND` one condition on the sort key (`=`, `<`, `<=`,
    /// `>`, `>=`, `BETWEEN`, `begins_with`).
    public static func keyCondition(
        _ text: String, _ attributes: ExpressionAttributes, partitionKey: String, sortKey: String?
    ) throws(TableError) -> KeyCondition {
        let root = try resolvedCondition(text, attributes, kind: "KeyConditionExpression")
        return try KeyConditionBuilder(partitionKey: partitionKey, sortKey: sortKey).build(root)
    }

    /// Parses an `UpdateExpression`: `SET`, `REMOVE`, `ADD` and `DELETE` clauses, each at most
    /// once, in any order.
    public static func update(_ text: String, _ attributes: ExpressionAttributes) throws(TableError) -> ParsedUpdate {
        let source = try ExpressionSource(text, kind: "UpdateExpression")
        var parser = ExpressionParser(source, keywords: ExpressionParser.updateKeywords)
        let raw = try parser.parseWholeUpdate()
        var resolver = ExpressionResolver(source, attributes, undefinedValuesAreUndefinedNames: false)
        let actions = resolver.update(raw)
        try resolver.throwFirstFault(ExpressionFault.updateOrder)
        return ParsedUpdate(actions: actions)
    }

    /// Parses a `ProjectionExpression`: comma-separated document paths.
    public static func projection(_ text: String, _ attributes: ExpressionAttributes) throws(TableError) -> ParsedProjection {
        let source = try ExpressionSource(text, kind: "ProjectionExpression")
        var parser = ExpressionParser(source, keywords: [])
        let raw = try parser.parseWholeProjection()
        var resolver = ExpressionResolver(source, attributes, undefinedValuesAreUndefinedNames: true)
        let paths = resolver.projection(raw)
        try resolver.throwFirstFault(ExpressionFault.projectionOrder)
        return ParsedProjection(paths: paths)
    }

    private static func resolvedCondition(_ text: String, _ attributes: ExpressionAttributes, kind: String) throws(TableError) -> ConditionNode {
        let source = try ExpressionSource(text, kind: kind)
        var parser = ExpressionParser(source, keywords: ExpressionParser.conditionKeywords)
        let raw = try parser.parseWholeCondition()
        var resolver = ExpressionResolver(source, attributes, undefinedValuesAreUndefinedNames: true)
        let root = resolver.condition(raw)
        try resolver.throwFirstFault(ExpressionFault.conditionOrder)
        return root
    }
}
