import Formwork

/// Checks on the synthesized template: logical IDs that collide after derivation, and
/// CloudFormation's quotas.
enum TemplateRules {
    static let maxResources = 500
    static let maxOutputs = 200
    static let maxParameters = 200
    static let maxBytes = 1_000_000
    static let directUploadBytes = 51_200

    static func check(_ template: Template, architecture: Architecture) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        var seen: [String: TemplateResource] = [:]
        for resource in template.resources {
            if let earlier = seen[resource.logicalID] {
                if earlier.origin != resource.origin {
                    problems.append(
                        .error(
                            "logical ID '\(resource.logicalID)' (\(resource.type), from \(resource.origin.map { "\($0)" } ?? "the template")) collides with the \(earlier.type) of \(earlier.origin.map { "\($0)" } ?? "the template")",
                            at: resource.originLocation,
                            notes: earlier.originLocation.map { [.init("\(earlier.origin.map { "\($0)" } ?? "") declared here", at: $0)] } ?? []))
                }
            } else {
                seen[resource.logicalID] = resource
            }
        }
        var outputs: Set<String> = []
        for output in template.outputs where !outputs.insert(output.key).inserted {
            problems.append(.error("two resources declare the stack output '\(output.key)'; output names must be unique", at: architecture.location))
        }
        let at = architecture.location
        let deployed = deployedResourceCount(template)
        if deployed > maxResources {
            problems.append(
                .error(
                    "the template has \(template.resources.count) resources, \(deployed) once SAM expands it; CloudFormation allows \(maxResources) per stack (split the architecture into stacks)",
                    at: at))
        }
        if template.outputs.count > maxOutputs {
            problems.append(.error("the template has \(template.outputs.count) outputs; CloudFormation allows \(maxOutputs)", at: at))
        }
        if template.parameters.count > maxParameters {
            problems.append(.error("the template has \(template.parameters.count) parameters; CloudFormation allows \(maxParameters)", at: at))
        }
        return problems
    }

    /// How many resources CloudFormation receives after the SAM transform: each API event adds a
    /// Lambda permission, other events a rule or subscription and a permission, each SAM API a
    /// deployment and a stage, and each function without a role its role.
    static func deployedResourceCount(_ template: Template) -> Int {
        var count = template.resources.count
        for resource in template.resources {
            switch resource.type {
            case "AWS::Serverless::Function":
                if case .map(let events)? = resource.property("Events") {
                    count += events.reduce(0) { $0 + ($1.value["Type"] == .string("Api") ? 1 : 2) }
                }
                if resource.property("Role") == nil { count += 1 }
            case "AWS::Serverless::Api":
                count += 2
            default: break
            }
        }
        return count
    }

    /// The size quota of a rendered template.
    static func checkSize(_ bytes: Int, architecture: Architecture) -> [Diagnostic] {
        if bytes > maxBytes {
            return [.error("the template is \(bytes) bytes; CloudFormation accepts at most \(maxBytes) bytes, even from S3", at: architecture.location)]
        }
        if bytes > directUploadBytes {
            return [
                .warning(
                    "the template is \(bytes) bytes; above \(directUploadBytes) bytes it must be uploaded to S3 before deploying (sam deploy --s3-bucket does this)",
                    at: architecture.location)
            ]
        }
        return []
    }
}
