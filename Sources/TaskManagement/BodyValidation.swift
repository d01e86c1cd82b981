import FormworkRuntime
import Foundation

/// A JSON object body that passed its schema: every field present has the schema's type.
struct ValidatedBody: Sendable {
    let fields: [String: JSONValue]

    /// Whether the body has the field `name`.
    func has(_ name: String) -> Bool { fields[name] != nil }

    /// The string field `name`, when present.
    func string(_ name: String) -> String? {
        if case .string(let text) = fields[name] { return text }
        return nil
    }

    /// The integer field `name`, when present.
    func int(_ name: String) -> Int? {
        if case .number(let number) = fields[name] { return Int(exactly: number) }
        return nil
    }

    /// The boolean field `name`, when present.
    func bool(_ name: String) -> Bool? {
        if case .bool(let flag) = fields[name] { return flag }
        return nil
    }

    /// The date-time field `name`, when present.
    func date(_ name: String) -> Date? {
        string(name).flatMap(JSONCoding.parseDate)
    }
}

/// Checks request bodies against the same ``JSONSchema`` the blueprint gives API Gateway,
/// so a handler rejects what the gateway would, wherever it runs.
enum BodyValidation {
    /// The body of `request`, parsed and checked against `schema`.
    ///
    /// - Throws: ``APIError`` `400`: `MissingBody`, `MalformedJSON`, or `ValidationFailed`
    ///   with one detail per problem.
    static func validate(_ request: APIGatewayRequest, against schema: JSONSchema) throws -> ValidatedBody {
        let data: Data
        do {
            data = try request.bodyData()
        } catch RequestBodyError.missing {
            throw APIError.missingBody
        } catch {
            throw APIError.malformedJSON
        }
        guard !String(decoding: data, as: UTF8.self).allSatisfy(\.isWhitespace) else { throw APIError.missingBody }
        let value: JSONValue
        do {
            value = try JSONCoding.decode(JSONValue.self, from: data)
        } catch {
            throw APIError.malformedJSON
        }
        let problems = schema.problems(in: value)
        guard problems.isEmpty, case .object(let fields) = value else { throw APIError.validation(problems) }
        return ValidatedBody(fields: fields)
    }
}
