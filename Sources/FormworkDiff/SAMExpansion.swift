import Crypto
import FormworkTemplate
import Foundation

/// The CloudFormation resources SAM's transform generates from the serverless types Formwork
/// emits, modelled closely enough to rate their changes: a diff of two SAM templates also diffs
/// their expansions, so a stage rename shows the stage, deployment and permissions it replaces.
///
/// Modelled after aws-sam-translator's naming rules:
/// - `AWS::Serverless::Api` `A` keeps its logical ID as the `AWS::ApiGateway::RestApi`; its stage
///   is `A<StageName>Stage` (a hash suffix when the name is not alphanumeric); its deployment is
///   `A<Deployment><hash of the API's definition and its functions' names>`, so any change of
///   routes, auth, models or function names creates a new deployment.
/// - Each `Api` event `E` of an `AWS::Serverless::Function` `F` on an explicit API becomes the
///   permission `F E Permission <StageName>`, whose `SourceArn` names the method and path.
/// - `Globals` are merged into each function and API.
/// - `A.Stage` and `A.Deployment` references resolve to the generated stage and deployment.
///
/// What is not modelled (other event types, implicit APIs, generated roles, aliases, usage plans)
/// is listed in ``unmodelled`` so the diff can say so instead of staying silent.
struct SAMExpansion {
    /// Where a generated resource comes from: the SAM resource, and its role there, which stays
    /// the same when SAM renames the resource (`stage`, `deployment`, `permission GetHealth`).
    struct Origin: Hashable {
        var source: String
        var role: String
    }

    /// The expanded resources: SAM resources with their Globals merged (keeping their SAM type,
    /// rated by the SAM rules), the generated resources, and every other resource with `A.Stage`
    /// style references resolved.
    var resources: [String: TemplateValue] = [:]
    /// The generated resources, by logical ID.
    var origins: [String: Origin] = [:]
    /// The resources the expansion adds or changes: generated ones, SAM resources, and resources
    /// with references SAM resolves. Every other resource is as the template has it, so its diff
    /// is already known.
    var touched: Set<String> = []
    /// Parts of the template whose expansion is not modelled.
    var unmodelled: [String] = []
    /// The template's Globals section, by resource kind (`Function`, `Api`).
    var globals: TemplateValue?
    /// Each API's stage name.
    var stageNames: [String: TemplateValue] = [:]

    static let transformName = "AWS::Serverless-2016-10-31"

    /// Whether the template asks for SAM's transform.
    static func applies(to template: TemplateValue) -> Bool {
        switch template["Transform"] {
        case .string(transformName)?: true
        case .list(let names)?: names.contains(.string(transformName))
        default: false
        }
    }

    /// The properties SAM moves from the API to its generated stage.
    static let stageProperties: Set<String> = [
        "StageName", "TracingEnabled", "MethodSettings", "AccessLogSetting", "CacheClusterEnabled", "CacheClusterSize",
        "Variables", "CanarySetting",
    ]
    /// Properties SAM writes on both the RestApi and its stage.
    static let sharedProperties: Set<String> = ["Tags"]
    /// API properties that are the RestApi's own and take no part in the OpenAPI definition.
    static let restApiOnlyProperties: Set<String> = [
        "Name", "Description", "EndpointConfiguration", "Mode", "FailOnWarnings", "PropagateTags", "MinimumCompressionSize",
        "ApiKeySourceType", "Tags",
    ]
    /// API properties that make SAM generate resources this model does not cover, or redeploy
    /// by rules it does not follow.
    static let unmodelledAPIProperties = ["Domain", "AlwaysDeploy", "DefinitionUri"]
    /// Function properties that make SAM generate resources this model does not cover.
    static let unmodelledFunctionProperties = [
        "AutoPublishAlias", "DeploymentPreference", "EventInvokeConfig", "FunctionUrlConfig", "ProvisionedConcurrencyConfig",
    ]

    /// Whether a change at `path` of a SAM resource reaches only what SAM generates from it: a
    /// function's events (its permissions, the API's definition), an API's stage settings.
    static func reachesOnlyGenerated(type: String, path: ValuePath) -> Bool {
        guard path.components.count > 1, path.components[0] == .key("Properties"), case .key(let property) = path.components[1] else {
            return false
        }
        switch type {
        case "AWS::Serverless::Function": return property == "Events"
        case "AWS::Serverless::Api": return stageProperties.contains(property)
        default: return false
        }
    }

    init(template: TemplateValue) {
        guard case .map(let entries)? = template["Resources"] else { return }
        globals = template["Globals"]
        var all: [String: TemplateValue] = [:]
        for entry in entries where all[entry.key] == nil { all[entry.key] = entry.value }

        var apis: [String: API] = [:]
        for (id, resource) in all where resource["Type"] == .string("AWS::Serverless::Api") {
            let properties = Self.merge(globals?["Api"], resource["Properties"])
            apis[id] = API(id: id, properties: properties)
            resources[id] = Self.replacing(resource, properties: properties.filtered { !Self.stageProperties.contains($0) })
            for property in Self.unmodelledAPIProperties where properties[property] != nil {
                unmodelled.append("\(id): \(property) (SAM generates or redeploys for it in ways that are not rated)")
            }
            if properties["Auth"]?["UsagePlan"] != nil {
                unmodelled.append("\(id): Auth.UsagePlan (the usage plan and API key SAM generates are not rated)")
            }
        }
        for (id, resource) in all where resource["Type"] == .string("AWS::Serverless::Function") {
            let properties = Self.merge(globals?["Function"], resource["Properties"])
            resources[id] = Self.replacing(resource, properties: properties.filtered { $0 != "Events" })
            for property in Self.unmodelledFunctionProperties where properties[property] != nil {
                unmodelled.append("\(id): \(property) (SAM generates resources for it that are not rated)")
            }
            if properties["Role"] == nil { unmodelled.append("\(id): the execution role SAM generates when Role is absent") }
            guard let eventsValue = properties["Events"] else { continue }
            guard case .map(let events) = eventsValue else {
                unmodelled.append("\(id): Events is not a map of events, so SAM's transform of it is not rated")
                continue
            }
            for event in events {
                let eventProperties = event.value["Properties"] ?? .map([])
                guard event.value["Type"] == .string("Api") else {
                    unmodelled.append("\(id) event \(event.key): type \(event.value["Type"]?.inline ?? "?")")
                    continue
                }
                guard let restAPI = eventProperties["RestApiId"] else {
                    unmodelled.append("\(id) event \(event.key): the implicit API SAM creates without RestApiId")
                    continue
                }
                guard case .intrinsic("Ref", .string(let apiID)) = restAPI, apis[apiID] != nil else {
                    unmodelled.append("\(id) event \(event.key): RestApiId \(restAPI.inline) is not an AWS::Serverless::Api of the template")
                    continue
                }
                apis[apiID]?.routes.append(
                    Route(function: id, event: event.key, properties: eventProperties, functionName: properties["FunctionName"]))
            }
        }
        var stages: [String: (stage: String, deployment: String)] = [:]
        for api in apis.values {
            stages[api.id] = (api.stageID, generate(api))
            stageNames[api.id] = api.stageName
        }
        touched = Set(resources.keys)
        for (id, resource) in all where resources[id] == nil {
            if Self.mentionsAPIAttributes(resource, apis: stages) {
                resources[id] = Self.resolvingAPIAttributes(resource, stages: stages)
                touched.insert(id)
            } else {
                resources[id] = resource
            }
        }
        unmodelled.sort()
    }

    // MARK: - APIs

    private struct Route {
        var function: String
        var event: String
        var properties: TemplateValue
        var functionName: TemplateValue?
    }

    private struct API {
        var id: String
        var properties: TemplateValue
        var routes: [Route] = []

        var stageName: TemplateValue { properties["StageName"] ?? .null }

        /// SAM's suffix for names derived from the stage: the name when it is a string.
        var stageSuffix: String? {
            if case .string(let name) = stageName { return name }
            return nil
        }

        /// SAM's stage ID: the name between the API's ID and `Stage` when it is alphanumeric, a
        /// hash of it after them otherwise, and nothing when the name is not a string.
        var stageID: String {
            let name = stageSuffix ?? ""
            if SAMExpansion.isAlphanumeric(name) { return id + name + "Stage" }
            return id + "Stage" + (name.isEmpty ? "" : SAMExpansion.hash(name))
        }

        /// What SAM's deployment hash covers: the generated OpenAPI definition (the API's own
        /// definition properties, and each route's method, path, auth and models with the function
        /// behind it), and the names of the functions its routes call.
        var definition: TemplateValue {
            var entries = properties.entries.filter {
                !SAMExpansion.stageProperties.contains($0.key) && !SAMExpansion.restApiOnlyProperties.contains($0.key)
                    && !SAMExpansion.sharedProperties.contains($0.key)
            }
            // SAM writes the stage name into a resource policy's ARNs.
            if properties["Auth"]?["ResourcePolicy"] != nil { entries.append(TemplateEntry("StageName", stageName)) }
            let routes = routes.map { route in
                TemplateValue.map(
                    // The integration's URI names the function's ARN, as SAM writes it.
                    [TemplateEntry("Function", .string(route.function)), TemplateEntry("Integration", .sub("${\(route.function).Arn}"))]
                        + route.properties.entries.filter { $0.key != "RestApiId" }
                        + [TemplateEntry("FunctionName", route.functionName ?? .null)])
            }
            let sorted = routes.map { ($0.canonicalJSON, $0) }.sorted { $0.0 < $1.0 }.map(\.1)
            return .map(entries + [TemplateEntry("Routes", .list(sorted))])
        }

        /// The deployment's ID for a definition.
        func deploymentID(of definition: TemplateValue) -> String { id + "Deployment" + SAMExpansion.hash(definition.canonicalJSON) }
    }

    /// Adds what SAM generates for `api`; returns the deployment's ID.
    private mutating func generate(_ api: API) -> String {
        let definition = api.definition
        let deploymentID = api.deploymentID(of: definition)
        resources[api.id] = resources[api.id].map {
            Self.replacing($0, properties: $0["Properties"].map { Self.adding("Body", definition, to: $0) } ?? .null)
        }
        resources[deploymentID] = .map([
            TemplateEntry("Type", "AWS::ApiGateway::Deployment"),
            TemplateEntry("Properties", .map([TemplateEntry("RestApiId", .ref(api.id))])),
        ])
        origins[deploymentID] = Origin(source: api.id, role: "deployment")
        let stageProperties = api.properties.entries.filter {
            (Self.stageProperties.contains($0.key) || Self.sharedProperties.contains($0.key)) && $0.key != "StageName"
        }
        resources[api.stageID] = .map([
            TemplateEntry("Type", "AWS::ApiGateway::Stage"),
            TemplateEntry(
                "Properties",
                .map(
                    [
                        TemplateEntry("RestApiId", .ref(api.id)), TemplateEntry("DeploymentId", .ref(deploymentID)),
                        TemplateEntry("StageName", api.stageName),
                    ] + stageProperties)),
        ])
        origins[api.stageID] = Origin(source: api.id, role: "stage")
        let suffix = api.stageSuffix ?? "Stage"
        for route in api.routes {
            let prefix = route.function + route.event
            let id = Self.isAlphanumeric(suffix) ? prefix + "Permission" + suffix : prefix + "Permission" + Self.hash(suffix)
            resources[id] = .map([
                TemplateEntry("Type", "AWS::Lambda::Permission"),
                TemplateEntry(
                    "Properties",
                    .map([
                        TemplateEntry("Action", "lambda:InvokeFunction"),
                        TemplateEntry("FunctionName", .ref(route.function)),
                        TemplateEntry("Principal", "apigateway.amazonaws.com"),
                        TemplateEntry("SourceArn", Self.sourceARN(route, api: api.id)),
                    ])),
            ])
            origins[id] = Origin(source: route.function, role: "permission \(route.event)")
        }
        return deploymentID
    }

    /// `arn:…:execute-api:…:${__ApiId__}/${__Stage__}/METHOD/path`, with path parameters as `*`
    /// and `ANY` as `*`, for every stage.
    private static func sourceARN(_ route: Route, api: String) -> TemplateValue {
        let method = route.properties["Method"]?.scalarText ?? ""
        var path = route.properties["Path"]?.scalarText ?? ""
        if path.count > 1, path.hasSuffix("/") { path.removeLast() }
        path = path.replacingOccurrences(of: #"\{[A-Za-z0-9._-]+\+?\}"#, with: "*", options: .regularExpression)
        let verb = method.lowercased() == "any" ? "*" : method.uppercased()
        return .intrinsic(
            "Fn::Sub",
            .list([
                .string("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/${__Stage__}/\(verb)\(path)"),
                .map([TemplateEntry("__ApiId__", .ref(api)), TemplateEntry("__Stage__", "*")]),
            ]))
    }

    // MARK: - References

    /// `A.Stage` and `A.Deployment` (in `Fn::GetAtt` and `Fn::Sub`) as SAM resolves them.
    private static func resolvingAPIAttributes(_ value: TemplateValue, stages: [String: (stage: String, deployment: String)]) -> TemplateValue {
        if stages.isEmpty { return value }
        switch value {
        case .intrinsic("Fn::GetAtt", .list(let parts)):
            if case .string(let api)? = parts.first, let generated = stages[api], parts.count == 2 {
                if parts[1] == "Stage" { return .ref(generated.stage) }
                if parts[1] == "Deployment" { return .ref(generated.deployment) }
            }
            return value
        case .intrinsic("Fn::Sub", .string(let text)):
            return .intrinsic("Fn::Sub", .string(resolving(text, stages: stages)))
        case .intrinsic("Fn::Sub", .list(let parts)):
            guard case .string(let text)? = parts.first else { return value }
            return .intrinsic(
                "Fn::Sub", .list([.string(resolving(text, stages: stages))] + parts.dropFirst().map { resolvingAPIAttributes($0, stages: stages) }))
        case .intrinsic(let name, let argument):
            return .intrinsic(name, resolvingAPIAttributes(argument, stages: stages))
        case .list(let items):
            return .list(items.map { resolvingAPIAttributes($0, stages: stages) })
        case .map(let entries):
            return .map(entries.map { TemplateEntry($0.key, resolvingAPIAttributes($0.value, stages: stages)) })
        default:
            return value
        }
    }

    private static func mentionsAPIAttributes(_ value: TemplateValue, apis: [String: (stage: String, deployment: String)]) -> Bool {
        if apis.isEmpty { return false }
        switch value {
        case .intrinsic("Fn::GetAtt", .list(let parts)):
            if case .string(let api)? = parts.first, apis[api] != nil, parts.count == 2 { return parts[1] == "Stage" || parts[1] == "Deployment" }
            return false
        case .string(let text):
            return text.contains(".Stage}") || text.contains(".Deployment}")
        case .intrinsic(_, let argument):
            return mentionsAPIAttributes(argument, apis: apis)
        case .list(let items):
            return items.contains { mentionsAPIAttributes($0, apis: apis) }
        case .map(let entries):
            return entries.contains { mentionsAPIAttributes($0.value, apis: apis) }
        default:
            return false
        }
    }

    private static func resolving(_ text: String, stages: [String: (stage: String, deployment: String)]) -> String {
        var text = text
        for (api, generated) in stages {
            text = text.replacingOccurrences(of: "${\(api).Stage}", with: "${\(generated.stage)}")
            text = text.replacingOccurrences(of: "${\(api).Deployment}", with: "${\(generated.deployment)}")
        }
        return text
    }

    // MARK: - Helpers

    /// SAM's Globals merge: the resource's own values win, maps merge key by key, lists concatenate.
    static func merge(_ global: TemplateValue?, _ local: TemplateValue?) -> TemplateValue {
        switch (global, local) {
        case (nil, let local?): return local
        case (let global?, nil): return global
        case (.map(let globalEntries)?, .map(let localEntries)?):
            var merged = globalEntries
            for entry in localEntries {
                if let index = merged.firstIndex(where: { $0.key == entry.key }) {
                    merged[index] = TemplateEntry(entry.key, merge(merged[index].value, entry.value))
                } else {
                    merged.append(entry)
                }
            }
            return .map(merged)
        case (.list(let globalItems)?, .list(let localItems)?): return .list(globalItems + localItems)
        case (_, let local?): return local
        case (nil, nil): return .map([])
        }
    }

    private static func replacing(_ resource: TemplateValue, properties: TemplateValue) -> TemplateValue {
        .map(resource.entries.map { $0.key == "Properties" ? TemplateEntry("Properties", properties) : $0 })
    }

    private static func adding(_ key: String, _ value: TemplateValue, to map: TemplateValue) -> TemplateValue {
        .map(map.entries.filter { $0.key != key } + [TemplateEntry(key, value)])
    }

    static func isAlphanumeric(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) }
    }

    /// The first 10 hex digits of the SHA-1 of `text`, as SAM's logical ID generator makes them
    /// for a string.
    static func hash(_ text: String) -> String {
        Insecure.SHA1.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined().prefix(10).description
    }
}

extension TemplateValue {
    /// The entries of a map; empty for anything else.
    var entries: [TemplateEntry] {
        if case .map(let entries) = self { return entries }
        return []
    }

    /// The map with only the keys `isIncluded` accepts.
    func filtered(_ isIncluded: (String) -> Bool) -> TemplateValue {
        .map(entries.filter { isIncluded($0.key) })
    }

    /// Compact JSON with map keys sorted: equal for values that differ only in key order.
    var canonicalJSON: String {
        switch self {
        case .list(let items): "[" + items.map(\.canonicalJSON).joined(separator: ",") + "]"
        case .map(let entries):
            "{" + entries.sorted { $0.key < $1.key }.map { TemplateValue.jsonString($0.key) + ":" + $0.value.canonicalJSON }.joined(separator: ",") + "}"
        case .intrinsic(let name, let argument): "{" + TemplateValue.jsonString(name) + ":" + argument.canonicalJSON + "}"
        default: compactJSON
        }
    }
}
