import Formwork
import FormworkRuntime

extension EmitContext {
    mutating func emitAPI(_ api: RestAPI) {
        let name = api.name, logGroup = "\(name)AccessLogs"
        var logs = TemplateResource(
            logGroup, type: "AWS::Logs::LogGroup",
            properties: MapBuilder.entries([
                "RetentionInDays": .int(api.accessLogRetention.days),
                "KmsKeyId": keyArn(api.logEncryption),
                "Tags": tagList,
            ]))
        applyRetention(&logs, retain: environment.isProduction)
        add(logs)

        var models: [TemplateEntry] = []
        for route in api.routes {
            guard let body = route.body else { continue }
            let modelName = APIModels.modelName(body, route: route)
            if !models.contains(where: { $0.key == modelName }) {
                models.append(TemplateEntry(modelName, APIModels.schemaValue(body, topLevel: true)))
            }
        }
        var methodSettings: [TemplateValue] = [
            .map([
                "ResourcePath": "/*", "HttpMethod": "*",
                "ThrottlingRateLimit": .double(api.throttling.rate), "ThrottlingBurstLimit": .int(api.throttling.burst),
                "MetricsEnabled": true,
                "CachingEnabled": false,
                "CacheDataEncrypted": api.cache.map { .bool($0.encrypted) },
            ])
        ]
        if api.cache != nil {
            for route in api.routes {
                guard let ttl = route.cacheTTL else { continue }
                methodSettings.append(
                    .map([
                        "ResourcePath": .string(APIModels.methodSettingPath(route.path)), "HttpMethod": .string(route.method.rawValue),
                        "ThrottlingRateLimit": .double(api.throttling.rate), "ThrottlingBurstLimit": .int(api.throttling.burst),
                        "CachingEnabled": true, "CacheTtlInSeconds": .int(ttl.seconds),
                        "CacheDataEncrypted": .bool(api.cache?.encrypted ?? true),
                    ]))
            }
        }
        var auth: [TemplateEntry] = []
        if let pool = api.authorizer {
            auth += [
                TemplateEntry("DefaultAuthorizer", "CognitoAuthorizer"),
                TemplateEntry("AddDefaultAuthorizerToCorsPreflight", false),
                TemplateEntry(
                    "Authorizers",
                    .map([
                        "CognitoAuthorizer": .map([
                            "UserPoolArn": .getAtt(pool.name, "Arn"), "Identity": .map(["Header": "Authorization"]),
                        ])
                    ])),
            ]
        }
        if !api.deniedSourceRanges.isEmpty {
            auth.append(TemplateEntry("ResourcePolicy", .map(["IpRangeBlacklist": .strings(api.deniedSourceRanges)])))
        }
        let cors: TemplateValue? = api.cors.map { cors in
            let origin = originValue(cors.origin, quoted: true)
            let methods = api.corsAllowedMethods.joined(separator: ",")
            return .map([
                "AllowOrigin": origin,
                "AllowMethods": .string("'\(methods)'"),
                "AllowHeaders": .string("'\(cors.headers.joined(separator: ","))'"),
                "MaxAge": .string("'\(cors.maxAge.seconds)'"),
            ])
        }
        let accessLogFormat =
            #"{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","user":"$context.authorizer.claims.sub","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","responseLength":"$context.responseLength","latency":"$context.responseLatency","wafResponse":"$context.wafResponseCode"}"#
        var resource = TemplateResource(
            name, type: "AWS::Serverless::Api",
            properties: MapBuilder.entries([
                "Name": .sub("${AWS::StackName}-\(name)"),
                "StageName": .string(api.stage),
                "OpenApiVersion": "2.0",
                "EndpointConfiguration": .map(["Type": "REGIONAL"]),
                "TracingEnabled": .bool(api.tracing),
                "CacheClusterEnabled": api.cache != nil ? true : nil,
                "CacheClusterSize": api.cache.map { .string($0.size) },
                "MethodSettings": .list(methodSettings),
                "AccessLogSetting": .map(["DestinationArn": .getAtt(logGroup, "Arn"), "Format": .string(accessLogFormat)]),
                "Auth": auth.isEmpty ? nil : .map(auth),
                "Cors": cors,
                "GatewayResponses": api.cors.map { cors in
                    // API Gateway's own answers (401, 403 and WAF blocks, throttling, 5xx) carry the origin too.
                    let headers: TemplateValue = .map(["Headers": .map(["Access-Control-Allow-Origin": originValue(cors.origin, quoted: true)])])
                    return .map(["DEFAULT_4XX": .map(["ResponseParameters": headers]), "DEFAULT_5XX": .map(["ResponseParameters": headers])])
                },
                "Models": models.isEmpty ? nil : .map(models),
                "Tags": tagMap,
                "PropagateTags": true,
            ]))
        resource.metadata.append(
            TemplateEntry(
                "Formwork",
                .map([
                    "Routes": .list(
                        api.routes.map { route in
                            .map([
                                "Route": .string("\(route.method.rawValue) \(route.path)"), "Function": .string(route.function.name),
                                "Groups": route.isPublic
                                    ? "public" : .string(route.groups.isEmpty ? "any signed-in user" : route.groups.map(\.name).joined(separator: ",")),
                            ])
                        })
                ])))
        add(resource)
        if let firewall = api.firewall {
            // `${Api.Stage}` is SAM's reference to the stage it generates, so the association waits for it.
            add(
                TemplateResource(
                    "\(name)WebACLAssociation", type: "AWS::WAFv2::WebACLAssociation",
                    properties: [
                        TemplateEntry("ResourceArn", .sub("arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${\(name)}/stages/${\(name).Stage}")),
                        TemplateEntry("WebACLArn", .getAtt(firewall.acl.name, "Arn")),
                    ]))
        }
        let single = architecture.resources(of: RestAPI.self).count == 1
        output(single ? "ApiUrl" : "\(name)Url", attributeValue(api.id, .url), "Base URL of the \(name) stage")
    }
}

/// API Gateway models and OpenAPI schemas from ``JSONSchema`` values.
enum APIModels {
    /// The model's name: the schema's title, or one derived from the route.
    static func modelName(_ schema: JSONSchema, route: Route) -> String {
        if let title = schema.title, !title.isEmpty { return EmitContext.identifier(title) }
        return EmitContext.eventName(route) + "Body"
    }

    /// The path as MethodSettings write it: `/tasks/{taskId}` → `/~1tasks~1{taskId}`.
    static func methodSettingPath(_ path: String) -> String {
        "/" + path.replacingOccurrences(of: "/", with: "~1")
    }

    /// The schema as a JSON Schema document.
    static func schemaValue(_ schema: JSONSchema, topLevel: Bool) -> TemplateValue {
        var entries: [TemplateEntry] = []
        if topLevel { entries.append(TemplateEntry("$schema", "http://json-schema.org/draft-04/schema#")) }
        if let title = schema.title, topLevel { entries.append(TemplateEntry("title", .string(title))) }
        entries.append(TemplateEntry("type", .string(schema.kind.rawValue)))
        switch schema.kind {
        case .object:
            entries.append(TemplateEntry("properties", .map(schema.properties.map { TemplateEntry($0.name, schemaValue($0.schema, topLevel: false)) })))
            if !schema.required.isEmpty { entries.append(TemplateEntry("required", .strings(schema.required))) }
            if let minimum = schema.minProperties { entries.append(TemplateEntry("minProperties", .int(minimum))) }
            entries.append(TemplateEntry("additionalProperties", .bool(schema.additionalProperties)))
        case .string:
            if let v = schema.minLength { entries.append(TemplateEntry("minLength", .int(v))) }
            if let v = schema.maxLength { entries.append(TemplateEntry("maxLength", .int(v))) }
            if let v = schema.pattern { entries.append(TemplateEntry("pattern", .string(v))) }
            if let v = schema.format { entries.append(TemplateEntry("format", .string(v))) }
            if let v = schema.allowedValues { entries.append(TemplateEntry("enum", .strings(v))) }
        case .integer, .number:
            if let v = schema.minimum { entries.append(TemplateEntry("minimum", .int(v))) }
            if let v = schema.maximum { entries.append(TemplateEntry("maximum", .int(v))) }
        case .array:
            if let items = schema.items.first { entries.append(TemplateEntry("items", schemaValue(items, topLevel: false))) }
            if let v = schema.minItems { entries.append(TemplateEntry("minItems", .int(v))) }
            if let v = schema.maxItems { entries.append(TemplateEntry("maxItems", .int(v))) }
        case .boolean:
            break
        }
        return .map(entries)
    }
}
