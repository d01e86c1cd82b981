import FormworkRuntime

/// Builds a DynamoDB update expression of `SET` and `REMOVE` clauses, with one `#name` and
/// one `:name` placeholder per attribute (attribute names here are plain identifiers).
///
/// ```swift
/// var update = UpdateBuilder()
/// update.set("title", "Write the report")
/// update.remove("reminderSentAt")
/// update.expression  // SET #title = :title REMOVE #reminderSentAt
/// ```
struct UpdateBuilder {
    private var assignments: [String] = []
    private var removals: [String] = []
    private var names: [String: String] = [:]
    private var values: [String: AttributeValue] = [:]

    /// Whether nothing is set or removed yet.
    var isEmpty: Bool { assignments.isEmpty && removals.isEmpty }

    /// `SET #attribute = :attribute`.
    mutating func set(_ attribute: String, _ value: AttributeValue) {
        names["#\(attribute)"] = attribute
        values[":\(attribute)"] = value
        assignments.append("#\(attribute) = :\(attribute)")
    }

    /// `REMOVE #attribute`.
    mutating func remove(_ attribute: String) {
        names["#\(attribute)"] = attribute
        removals.append("#\(attribute)")
    }

    /// The update expression with its placeholders.
    var expression: UpdateExpression {
        var clauses: [String] = []
        if !assignments.isEmpty { clauses.append("SET " + assignments.joined(separator: ", ")) }
        if !removals.isEmpty { clauses.append("REMOVE " + removals.joined(separator: ", ")) }
        return UpdateExpression(clauses.joined(separator: " "), names: names, values: values)
    }
}
