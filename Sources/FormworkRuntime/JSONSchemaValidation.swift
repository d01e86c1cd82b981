import Foundation

extension JSONSchema {
    /// Every way `value` breaks the schema, one detail per problem (`field` names the value by
    /// its path, `body` at the top): what API Gateway's request validator and a handler both
    /// check, from the one schema in the blueprint.
    public func problems(in value: JSONValue) -> [APIErrorBody.Detail] {
        JSONSchemaValidation.problems(in: value, schema: self, path: "")
    }
}

/// The checks behind ``JSONSchema/problems(in:)``.
enum JSONSchemaValidation {
    /// Two to the 53rd: beyond it a JSON number is no longer an exact integer.
    private static let largestExactInteger = 9_007_199_254_740_992.0

    /// Every way `value` breaks `schema`; `path` names `value` in the details (`body` at
    /// the top).
    static func problems(in value: JSONValue, schema: JSONSchema, path: String) -> [APIErrorBody.Detail] {
        let field = path.isEmpty ? "body" : path
        switch (schema.kind, value) {
        case (.object, .object(let members)):
            return objectProblems(members, schema: schema, path: path)
        case (.array, .array(let elements)):
            return arrayProblems(elements, schema: schema, path: field)
        case (.string, .string(let text)):
            return stringProblems(text, schema: schema).map { .init(field: field, problem: $0) }
        case (.integer, .number(let number)):
            guard number.isFinite, number.rounded() == number else {
                return [.init(field: field, problem: "must be an integer")]
            }
            return numberProblems(number, schema: schema).map { .init(field: field, problem: $0) }
        case (.number, .number(let number)):
            return numberProblems(number, schema: schema).map { .init(field: field, problem: $0) }
        case (.boolean, .bool):
            return []
        default:
            return [.init(field: field, problem: "must be \(article(schema.kind)) \(schema.kind.rawValue)")]
        }
    }

    private static func objectProblems(
        _ members: [String: JSONValue], schema: JSONSchema, path: String
    ) -> [APIErrorBody.Detail] {
        var problems: [APIErrorBody.Detail] = []
        let prefix = path.isEmpty ? "" : path + "."
        if let minimum = schema.minProperties, members.count < minimum {
            let noun = minimum == 1 ? "field" : "fields"
            let field = path.isEmpty ? "body" : path
            problems.append(.init(field: field, problem: "must have at least \(minimum) \(noun)"))
        }
        for property in schema.properties {
            if let member = members[property.name] {
                problems += self.problems(in: member, schema: property.schema, path: prefix + property.name)
            } else if schema.required.contains(property.name) {
                problems.append(.init(field: prefix + property.name, problem: "is required"))
            }
        }
        if !schema.additionalProperties {
            let known = Set(schema.properties.map(\.name))
            for name in members.keys.sorted() where !known.contains(name) {
                problems.append(.init(field: prefix + name, problem: "is not an allowed field"))
            }
        }
        return problems
    }

    private static func arrayProblems(
        _ elements: [JSONValue], schema: JSONSchema, path: String
    ) -> [APIErrorBody.Detail] {
        var problems: [APIErrorBody.Detail] = []
        if let minimum = schema.minItems, elements.count < minimum {
            problems.append(.init(field: path, problem: "must have at least \(minimum) items"))
        }
        if let maximum = schema.maxItems, elements.count > maximum {
            problems.append(.init(field: path, problem: "must have at most \(maximum) items"))
        }
        if let itemSchema = schema.items.first {
            for (index, element) in elements.enumerated() {
                problems += self.problems(in: element, schema: itemSchema, path: "\(path)[\(index)]")
            }
        }
        return problems
    }

    private static func stringProblems(_ text: String, schema: JSONSchema) -> [String] {
        var problems: [String] = []
        let length = text.unicodeScalars.count
        if let minimum = schema.minLength, length < minimum {
            problems.append(minimum == 1 ? "must not be empty" : "must be at least \(minimum) characters long")
        }
        if let maximum = schema.maxLength, length > maximum {
            problems.append("must be at most \(maximum) characters long")
        }
        if let allowed = schema.allowedValues, !allowed.contains(text) {
            problems.append("must be one of: " + allowed.joined(separator: ", "))
        }
        if let pattern = schema.pattern, !matches(text, pattern: pattern) {
            problems.append("must match the pattern \(pattern)")
        }
        switch schema.format {
        case "date-time" where JSONCoding.parseDate(text) == nil:
            problems.append("must be an RFC 3339 date-time such as 2026-12-01T17:00:00Z")
        case "email" where !isEmailAddress(text):
            problems.append("must be an e-mail address")
        default:
            break
        }
        return problems
    }

    private static func numberProblems(_ number: Double, schema: JSONSchema) -> [String] {
        if schema.kind == .integer, abs(number) > largestExactInteger { return ["is out of range"] }
        var problems: [String] = []
        if let minimum = schema.minimum, number < Double(minimum) { problems.append("must be at least \(minimum)") }
        if let maximum = schema.maximum, number > Double(maximum) { problems.append("must be at most \(maximum)") }
        return problems
    }

    private static func matches(_ text: String, pattern: String) -> Bool {
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return true }
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        return expression.firstMatch(in: text, range: range) != nil
    }

    /// One `@` between a non-empty local part and a dotted domain, no white space.
    private static func isEmailAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !text.contains(where: \.isWhitespace) else { return false }
        let local = parts[0]
        let domain = parts[1]
        return !local.isEmpty && domain.contains(".") && !domain.hasPrefix(".") && !domain.hasSuffix(".")
    }

    private static func article(_ kind: JSONSchema.Kind) -> String {
        switch kind {
        case .object, .integer, .array: "an"
        case .string, .number, .boolean: "a"
        }
    }
}
