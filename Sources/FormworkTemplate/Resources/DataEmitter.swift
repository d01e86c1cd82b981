import Formwork

extension EmitContext {
    mutating func emitTable(_ table: Table) {
        func keySchema(_ partition: KeyAttribute, _ sort: KeyAttribute?) -> TemplateValue {
            .list(
                [.map(["AttributeName": .string(partition.name), "KeyType": "HASH"])]
                    + (sort.map { [.map(["AttributeName": .string($0.name), "KeyType": "RANGE"])] } ?? []))
        }
        let indexes: [TemplateValue] = table.indexes.map { index in
            let nonKey = index.projection.nonKeyAttributes
            let projection: TemplateValue = .map([
                "ProjectionType": .string(index.projection.typeName),
                "NonKeyAttributes": nonKey.isEmpty ? nil : .strings(nonKey),
            ])
            return .map([
                "IndexName": .string(index.name),
                "KeySchema": keySchema(index.partitionKey, index.sortKey),
                "Projection": projection,
            ])
        }
        let sse: TemplateValue =
            switch table.encryption {
            case .serviceManaged: .map(["SSEEnabled": true])
            case .key(let id, _): .map(["SSEEnabled": true, "SSEType": "KMS", "KMSMasterKeyId": .getAtt(id.name, "Arn")])
            }
        var resource = TemplateResource(
            table.name, type: "AWS::DynamoDB::Table",
            properties: MapBuilder.entries([
                "TableName": table.tableName.map(TemplateValue.string),
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": .list(
                    table.keyAttributes.map {
                        .map(["AttributeName": .string($0.name), "AttributeType": .string($0.type.rawValue)])
                    }),
                "KeySchema": keySchema(table.partitionKey, table.sortKey),
                "GlobalSecondaryIndexes": indexes.isEmpty ? nil : .list(indexes),
                "SSESpecification": sse,
                "PointInTimeRecoverySpecification": .map(["PointInTimeRecoveryEnabled": .bool(table.pointInTimeRecovery)]),
                "TimeToLiveSpecification": table.timeToLiveAttribute.map { .map(["AttributeName": .string($0), "Enabled": true]) },
                "DeletionProtectionEnabled": .bool(table.deletionProtection),
                "Tags": tagList,
            ]))
        applyRetention(&resource, retain: table.retainOnDelete)
        add(resource)
        output("\(table.name)Name", .ref(table.name), "Name of the \(table.name) table")
    }

    mutating func emitUserPool(_ pool: UserPool) {
        let name = pool.name
        let p = pool.passwordPolicy
        var resource = TemplateResource(
            name, type: "AWS::Cognito::UserPool",
            properties: MapBuilder.entries([
                "UserPoolName": pool.poolName.map(TemplateValue.string),
                "UsernameAttributes": ["email"],
                "AutoVerifiedAttributes": ["email"],
                "UsernameConfiguration": .map(["CaseSensitive": false]),
                "Policies": .map([
                    "PasswordPolicy": .map([
                        "MinimumLength": .int(p.minimumLength),
                        "RequireLowercase": .bool(p.requireLowercase), "RequireUppercase": .bool(p.requireUppercase),
                        "RequireNumbers": .bool(p.requireNumbers), "RequireSymbols": .bool(p.requireSymbols),
                        "TemporaryPasswordValidityDays": .int(p.temporaryPasswordValidity.days),
                    ])
                ]),
                "AdminCreateUserConfig": .map([
                    "AllowAdminCreateUserOnly": .bool(pool.adminCreateOnly),
                    "InviteMessageTemplate": .map([
                        "EmailSubject": .string(pool.invitation.subject), "EmailMessage": .string(pool.invitation.message),
                    ]),
                ]),
                "MfaConfiguration": .string(pool.mfa.rawValue),
                "EnabledMfas": pool.mfa == .off ? nil : ["SOFTWARE_TOKEN_MFA"],
                "AccountRecoverySetting": .map(["RecoveryMechanisms": [.map(["Name": "verified_email", "Priority": 1])]]),
                "Schema": [
                    .map(["Name": "email", "AttributeDataType": "String", "Required": true, "Mutable": true]),
                    .map(["Name": "name", "AttributeDataType": "String", "Required": false, "Mutable": true]),
                ],
                "DeletionProtection": pool.deletionProtection ? "ACTIVE" : "INACTIVE",
                "UserPoolTags": tagMap,
            ]))
        applyRetention(&resource, retain: pool.retainOnDelete)
        add(resource)
        for group in pool.groups {
            add(
                TemplateResource(
                    "\(name)\(Self.identifier(group.name))Group", type: "AWS::Cognito::UserPoolGroup",
                    properties: MapBuilder.entries([
                        "UserPoolId": .ref(name),
                        "GroupName": .string(group.name),
                        "Description": group.summary.isEmpty ? nil : .string(group.summary),
                        "Precedence": group.precedence.map(TemplateValue.int),
                    ])))
        }
        let c = pool.client
        add(
            TemplateResource(
                "\(name)Client", type: "AWS::Cognito::UserPoolClient",
                properties: [
                    TemplateEntry("UserPoolId", .ref(name)),
                    TemplateEntry("GenerateSecret", false),
                    TemplateEntry(
                        "ExplicitAuthFlows",
                        .strings(c.explicitAuthFlows)),
                    TemplateEntry("PreventUserExistenceErrors", "ENABLED"),
                    TemplateEntry("EnableTokenRevocation", true),
                    TemplateEntry("IdTokenValidity", .int(c.idTokenValidity.minutes)),
                    TemplateEntry("AccessTokenValidity", .int(c.accessTokenValidity.minutes)),
                    TemplateEntry("RefreshTokenValidity", .int(c.refreshTokenValidity.minutes)),
                    TemplateEntry("TokenValidityUnits", .map(["IdToken": "minutes", "AccessToken": "minutes", "RefreshToken": "minutes"])),
                ]))
        output("UserPoolId", .ref(name), "ID of the user pool")
        output("UserPoolClientId", .ref("\(name)Client"), "ID of the user pool's app client")
    }

    mutating func emitIdentityPool(_ identityPool: IdentityPool) {
        let name = identityPool.name, pool = identityPool.userPool.name
        add(
            TemplateResource(
                name, type: "AWS::Cognito::IdentityPool",
                properties: [
                    TemplateEntry("AllowUnauthenticatedIdentities", false),
                    TemplateEntry(
                        "CognitoIdentityProviders",
                        [
                            .map([
                                "ClientId": .ref("\(pool)Client"), "ProviderName": .getAtt(pool, "ProviderName"), "ServerSideTokenCheck": true,
                            ])
                        ]),
                    TemplateEntry("IdentityPoolTags", tagList),
                ]))
        add(
            TemplateResource(
                "\(name)AuthenticatedRole", type: "AWS::IAM::Role",
                properties: [
                    TemplateEntry("Description", .string("Role of signed-in identities of \(name); grants nothing beyond identity")),
                    TemplateEntry(
                        "AssumeRolePolicyDocument",
                        .policyDocument([
                            .map([
                                "Effect": "Allow",
                                "Principal": .map(["Federated": "cognito-identity.amazonaws.com"]),
                                "Action": "sts:AssumeRoleWithWebIdentity",
                                "Condition": .map([
                                    "StringEquals": .map(["cognito-identity.amazonaws.com:aud": .ref(name)]),
                                    "ForAnyValue:StringLike": .map(["cognito-identity.amazonaws.com:amr": "authenticated"]),
                                ]),
                            ])
                        ])),
                    TemplateEntry("Tags", tagList),
                ]))
        add(
            TemplateResource(
                "\(name)RoleAttachment", type: "AWS::Cognito::IdentityPoolRoleAttachment",
                properties: [
                    TemplateEntry("IdentityPoolId", .ref(name)),
                    TemplateEntry("Roles", .map(["authenticated": .getAtt("\(name)AuthenticatedRole", "Arn")])),
                ]))
        output("IdentityPoolId", .ref(name), "ID of the identity pool")
    }

    /// A logical-ID-safe form of a name (`Team-Member` → `TeamMember`).
    static func identifier(_ text: String) -> String {
        text.split(whereSeparator: { !($0.isASCII && ($0.isLetter || $0.isNumber)) })
            .map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}
