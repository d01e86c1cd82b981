import Foundation

/// The body of every error the HTTP API answers:
/// `{ "message": "...", "code": "...", "details": [ { "field", "problem" } ]? }`.
public struct APIErrorBody: Codable, Equatable, Sendable {
    /// One problem with one field of the request.
    public struct Detail: Codable, Equatable, Sendable {
        /// The field, such as `title` or `deadline`.
        public var field: String
        /// What is wrong with it, such as `must be in the future`.
        public var problem: String

        /// Creates a detail.
        public init(field: String, problem: String) {
            self.field = field
            self.problem = problem
        }
    }

    /// A sentence for people.
    public var message: String
    /// A stable code for programs, such as `ValidationFailed` or `VersionConflict`.
    public var code: String
    /// The problems field by field; left out of the JSON when `nil`.
    public var details: [Detail]?

    /// Creates an error body.
    public init(message: String, code: String, details: [Detail]? = nil) {
        self.message = message
        self.code = code
        self.details = details
    }
}
