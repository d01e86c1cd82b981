import FormworkRuntime
import Foundation

/// The placeholders of one request — `ExpressionAttributeNames` (`#name` → attribute name) and
/// `ExpressionAttributeValues` (`:value` → value) — shared by all of the request's expressions.
///
/// Parsing an expression through ``Expressions`` records which placeholders it uses; once every
/// expression of the request is parsed, ``checkAllUsed()`` rejects the placeholders none of them
/// used, as DynamoDB does.
///
/// Outside this module the name clashes with `FormworkRuntime.ExpressionAttributes` (the
/// client-side struct); write `FormworkSimulator.ExpressionAttributes` where both modules are
/// imported.
///
/// ```swift
/// let attributes = FormworkSimulator.ExpressionAttributes(names: ["#s": "status"], values: [":s": "done"])
/// let condition = try Expressions.condition("#s = :s", attributes)
/// try attributes.checkAllUsed()
/// ```
public final class ExpressionAttributes: @unchecked Sendable {
    /// `ExpressionAttributeNames`: `#placeholder` → attribute name.
    public let names: [String: String]
    /// `ExpressionAttributeValues`: `:placeholder` → value.
    public let values: [String: AttributeValue]

    // Guards the two sets below; everything else is immutable.
    private let lock = NSLock()
    private var usedNames = Set<String>()
    private var usedValues = Set<String>()

    /// Creates the placeholders of a request.
    public init(names: [String: String] = [:], values: [String: AttributeValue] = [:]) {
        self.names = names
        self.values = values
    }

    /// Creates the placeholders of a request from the client-side form.
    public convenience init(_ attributes: FormworkRuntime.ExpressionAttributes) {
        self.init(names: attributes.names, values: attributes.values)
    }

    /// Rejects placeholders that no parsed expression used, with DynamoDB's messages:
    /// `Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}` (names
    /// are checked first), then
    /// `Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}`.
    public func checkAllUsed() throws(TableError) {
        lock.lock()
        let unusedNames = names.keys.filter { !usedNames.contains($0) }.sorted()
        let unusedValues = values.keys.filter { !usedValues.contains($0) }.sorted()
        lock.unlock()
        if !unusedNames.isEmpty {
            throw .validation(
                "Value provided in ExpressionAttributeNames unused in expressions: keys: {\(unusedNames.joined(separator: ", "))}")
        }
        if !unusedValues.isEmpty {
            throw .validation(
                "Value provided in ExpressionAttributeValues unused in expressions: keys: {\(unusedValues.joined(separator: ", "))}")
        }
    }

    /// The attribute name for `placeholder` (`#name`), marking it used; nil when undefined.
    func name(for placeholder: String) -> String? {
        guard let name = names[placeholder] else { return nil }
        lock.lock()
        usedNames.insert(placeholder)
        lock.unlock()
        return name
    }

    /// The value for `placeholder` (`:value`), marking it used; nil when undefined.
    func value(for placeholder: String) -> AttributeValue? {
        guard let value = values[placeholder] else { return nil }
        lock.lock()
        usedValues.insert(placeholder)
        lock.unlock()
        return value
    }
}
