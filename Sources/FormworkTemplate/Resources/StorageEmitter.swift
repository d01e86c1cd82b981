import Formwork

extension EmitContext {
    mutating func emitKey(_ key: EncryptionKey) {
        let users = users(of: key.id).map(\.resource)
        var statements: [TemplateValue] = [
            .map([
                "Sid": "AccountAdministersKey", "Effect": "Allow",
                "Principal": .map(["AWS": .sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")]),
                "Action": "kms:*",
                // A key policy's resource is always the key itself, written as '*'.
                "Resource": "*",
            ])
        ]
        let logUsers = users.contains { $0 is Function || $0 is RestAPI || $0 is WebACL }
        if logUsers {
            statements.append(
                .map([
                    "Sid": "CloudWatchLogsEncryptsLogGroups", "Effect": "Allow",
                    "Principal": .map(["Service": .sub("logs.${AWS::Region}.amazonaws.com")]),
                    "Action": .strings(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo"]),
                    "Resource": "*",
                    "Condition": .map([
                        "ArnLike": .map([
                            "kms:EncryptionContext:aws:logs:arn": .sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*")
                        ])
                    ]),
                ]))
            // Describing the key carries no encryption context, so it cannot share the condition.
            statements.append(
                .map([
                    "Sid": "CloudWatchLogsDescribesKey", "Effect": "Allow",
                    "Principal": .map(["Service": .sub("logs.${AWS::Region}.amazonaws.com")]),
                    "Action": "kms:DescribeKey", "Resource": "*",
                ]))
        }
        if users.contains(where: { $0 is Trail }) {
            statements.append(
                .map([
                    "Sid": "CloudTrailEncryptsLogFiles", "Effect": "Allow",
                    "Principal": .map(["Service": "cloudtrail.amazonaws.com"]),
                    "Action": "kms:GenerateDataKey",
                    "Resource": "*",
                    "Condition": .map([
                        "StringLike": .map([
                            "kms:EncryptionContext:aws:cloudtrail:arn": .sub("arn:${AWS::Partition}:cloudtrail:*:${AWS::AccountId}:trail/*")
                        ])
                    ]),
                ]))
            statements.append(
                .map([
                    "Sid": "CloudTrailDescribesKey", "Effect": "Allow",
                    "Principal": .map(["Service": "cloudtrail.amazonaws.com"]),
                    "Action": "kms:DescribeKey", "Resource": "*",
                ]))
        }
        let alarmTopics = users.compactMap { $0 as? Topic }.filter { topic in
            architecture.resources(of: Alarm.self).contains { $0.topic == topic.id }
        }
        if !alarmTopics.isEmpty {
            statements.append(
                .map([
                    "Sid": "CloudWatchPublishesAlarms", "Effect": "Allow",
                    "Principal": .map(["Service": "cloudwatch.amazonaws.com"]),
                    "Action": .strings(["kms:Decrypt", "kms:GenerateDataKey"]),
                    "Resource": "*",
                ]))
        }
        var resource = TemplateResource(
            key.name, type: "AWS::KMS::Key",
            properties: MapBuilder.entries([
                "Description": .string(key.summary.isEmpty ? "\(architecture.name) \(environment.name) data key" : key.summary),
                "EnableKeyRotation": true,
                "PendingWindowInDays": .int(key.pendingDeletionDays),
                "KeyPolicy": .policyDocument(statements),
                "Tags": tagList,
            ]))
        applyRetention(&resource, retain: key.retainOnDelete)
        add(resource)
        if let alias = key.alias {
            add(
                TemplateResource(
                    "\(key.name)Alias", type: "AWS::KMS::Alias",
                    properties: [
                        TemplateEntry("AliasName", .string("alias/\(alias)")),
                        TemplateEntry("TargetKeyId", .ref(key.name)),
                    ]))
        }
    }

    mutating func emitBucket(_ bucket: Bucket) {
        let users = users(of: bucket.id)
        let servesDistribution = users.compactMap { $0.resource as? Distribution }.filter { $0.origin == bucket.id }
        let trails = users.compactMap { $0.resource as? Trail }
        let receivesAccessLogs = users.contains { $0.purpose == "access logging" }
        let encryption: TemplateValue =
            switch bucket.encryption {
            case .serviceManaged:
                .map(["ServerSideEncryptionConfiguration": [.map(["ServerSideEncryptionByDefault": .map(["SSEAlgorithm": "AES256"])])]])
            case .key(let id, _):
                .map([
                    "ServerSideEncryptionConfiguration": [
                        .map([
                            "ServerSideEncryptionByDefault": .map(["SSEAlgorithm": "aws:kms", "KMSMasterKeyID": .getAtt(id.name, "Arn")]),
                            "BucketKeyEnabled": true,
                        ])
                    ]
                ])
            }
        let rules: [TemplateValue] = bucket.lifecycleRules.map { rule in
            var entries = [TemplateEntry("Id", .string(rule.id)), TemplateEntry("Status", "Enabled")]
            if let prefix = rule.prefix { entries.append(TemplateEntry("Prefix", .string(prefix))) }
            if !rule.tags.isEmpty {
                entries.append(TemplateEntry("TagFilters", .list(rule.tags.map { .map(["Key": .string($0.key), "Value": .string($0.value)]) })))
            }
            switch rule.action {
            case .expireObjects: entries.append(TemplateEntry("ExpirationInDays", .int(rule.days)))
            case .expireNoncurrentVersions: entries.append(TemplateEntry("NoncurrentVersionExpiration", .map(["NoncurrentDays": .int(rule.days)])))
            case .abortIncompleteUploads: entries.append(TemplateEntry("AbortIncompleteMultipartUpload", .map(["DaysAfterInitiation": .int(rule.days)])))
            case .transition(let storageClass):
                entries.append(
                    TemplateEntry("Transitions", .list([.map(["StorageClass": .string(storageClass.rawValue), "TransitionInDays": .int(rule.days)])])))
            }
            return .map(entries)
        }
        let ownership = bucket.receivesLogDeliveries ? "BucketOwnerPreferred" : "BucketOwnerEnforced"
        var resource = TemplateResource(
            bucket.name, type: "AWS::S3::Bucket",
            properties: MapBuilder.entries([
                "BucketName": bucket.bucketName.map(TemplateValue.string),
                "BucketEncryption": encryption,
                "PublicAccessBlockConfiguration": .map([
                    "BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true,
                ]),
                "OwnershipControls": .map(["Rules": [.map(["ObjectOwnership": .string(ownership)])]]),
                "VersioningConfiguration": bucket.versioned ? .map(["Status": "Enabled"]) : nil,
                "LifecycleConfiguration": rules.isEmpty ? nil : .map(["Rules": .list(rules)]),
                "LoggingConfiguration": bucket.accessLogging.map {
                    .map(["DestinationBucketName": .ref($0.bucket.name), "LogFilePrefix": .string($0.prefix)])
                },
                "Tags": tagList,
            ]))
        applyRetention(&resource, retain: bucket.retainOnDelete)
        if bucket.accessLogging == nil && receivesAccessLogs {
            resource.skipCheck(
                "CKV_AWS_18", because: "This bucket is the access-log destination of the others; logging it into itself would log its own log writes.")
        }
        if let content = bucket.contentDirectory {
            resource.metadata.append(
                TemplateEntry(
                    "Formwork",
                    .map([
                        "Content": .string(content),
                        "Deploy": .string("aws s3 sync \(content) s3://<bucket> --delete"),
                    ])))
        }
        add(resource)

        let bucketArn = TemplateValue.getAtt(bucket.name, "Arn")
        let objects = TemplateValue.sub("${\(bucket.name).Arn}/*")
        var statements: [TemplateValue] = [
            .map([
                "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*",
                "Action": "s3:*", "Resource": [bucketArn, objects],
                "Condition": .map(["Bool": .map(["aws:SecureTransport": "false"])]),
            ])
        ]
        for distribution in servesDistribution {
            statements.append(
                .map([
                    "Sid": "CloudFrontReadsSite", "Effect": "Allow",
                    "Principal": .map(["Service": "cloudfront.amazonaws.com"]),
                    "Action": "s3:GetObject", "Resource": objects,
                    "Condition": .map([
                        "StringEquals": .map([
                            "AWS:SourceArn": .sub("arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${\(distribution.name)}")
                        ])
                    ]),
                ]))
        }
        if receivesAccessLogs {
            statements.append(
                .map([
                    "Sid": "S3DeliversAccessLogs", "Effect": "Allow",
                    "Principal": .map(["Service": "logging.s3.amazonaws.com"]),
                    "Action": "s3:PutObject", "Resource": objects,
                    "Condition": .map(["StringEquals": .map(["aws:SourceAccount": .ref("AWS::AccountId")])]),
                ]))
        }
        for trail in trails {
            let trailArn = TemplateValue.sub("arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/\(trail.trailName)")
            statements.append(
                .map([
                    "Sid": "CloudTrailChecksAcl", "Effect": "Allow",
                    "Principal": .map(["Service": "cloudtrail.amazonaws.com"]),
                    "Action": "s3:GetBucketAcl", "Resource": bucketArn,
                    "Condition": .map(["StringEquals": .map(["aws:SourceArn": trailArn])]),
                ]))
            statements.append(
                .map([
                    "Sid": "CloudTrailWritesLogs", "Effect": "Allow",
                    "Principal": .map(["Service": "cloudtrail.amazonaws.com"]),
                    "Action": "s3:PutObject",
                    "Resource": .sub("${\(bucket.name).Arn}/AWSLogs/${AWS::AccountId}/*"),
                    "Condition": .map(["StringEquals": .map(["s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trailArn])]),
                ]))
        }
        add(
            TemplateResource(
                "\(bucket.name)Policy", type: "AWS::S3::BucketPolicy",
                properties: [
                    TemplateEntry("Bucket", .ref(bucket.name)),
                    TemplateEntry("PolicyDocument", .policyDocument(statements)),
                ]))
    }

    mutating func emitDistribution(_ distribution: Distribution) {
        let name = distribution.name
        add(
            TemplateResource(
                "\(name)OriginAccessControl", type: "AWS::CloudFront::OriginAccessControl",
                properties: [
                    TemplateEntry(
                        "OriginAccessControlConfig",
                        .map([
                            "Name": .sub("${AWS::StackName}-\(name)"),
                            "OriginAccessControlOriginType": "s3", "SigningBehavior": "always", "SigningProtocol": "sigv4",
                        ]))
                ]))
        let cache = distribution.cache
        add(
            TemplateResource(
                "\(name)CachePolicy", type: "AWS::CloudFront::CachePolicy",
                properties: [
                    TemplateEntry(
                        "CachePolicyConfig",
                        .map([
                            "Name": .sub("${AWS::StackName}-\(name)-cache"),
                            "MinTTL": .int(cache.minimumTTL.seconds), "DefaultTTL": .int(cache.defaultTTL.seconds), "MaxTTL": .int(cache.maximumTTL.seconds),
                            "ParametersInCacheKeyAndForwardedToOrigin": .map([
                                "EnableAcceptEncodingGzip": true, "EnableAcceptEncodingBrotli": true,
                                "CookiesConfig": .map(["CookieBehavior": "none"]),
                                "HeadersConfig": .map(["HeaderBehavior": "none"]),
                                "QueryStringsConfig": .map(["QueryStringBehavior": "none"]),
                            ]),
                        ]))
                ]))
        let headers = distribution.securityHeaders
        add(
            TemplateResource(
                "\(name)HeadersPolicy", type: "AWS::CloudFront::ResponseHeadersPolicy",
                properties: [
                    TemplateEntry(
                        "ResponseHeadersPolicyConfig",
                        .map([
                            "Name": .sub("${AWS::StackName}-\(name)-headers"),
                            "SecurityHeadersConfig": .map([
                                "StrictTransportSecurity": .map([
                                    "AccessControlMaxAgeSec": .int(headers.hstsMaxAge.seconds),
                                    "IncludeSubdomains": .bool(headers.hstsIncludeSubdomainsAndPreload),
                                    "Preload": .bool(headers.hstsIncludeSubdomainsAndPreload),
                                    "Override": true,
                                ]),
                                "ContentSecurityPolicy": .map(["ContentSecurityPolicy": .string(headers.contentSecurityPolicy), "Override": true]),
                                "ContentTypeOptions": .map(["Override": true]),
                                "FrameOptions": .map(["FrameOption": .string(headers.frameOptions), "Override": true]),
                                "ReferrerPolicy": .map(["ReferrerPolicy": .string(headers.referrerPolicy), "Override": true]),
                                "XSSProtection": .map(["Protection": true, "ModeBlock": .bool(headers.xssProtectionBlocks), "Override": true]),
                            ]),
                        ]))
                ]))
        let errorResponses: TemplateValue? =
            distribution.singlePageApp
            ? .list(
                [403, 404].map { code in
                    .map([
                        "ErrorCode": .int(code), "ResponseCode": 200, "ResponsePagePath": .string("/\(distribution.defaultRootObject)"),
                        "ErrorCachingMinTTL": 10,
                    ])
                }) : nil
        let originID = "\(distribution.origin.name)Origin"
        let config: TemplateValue = .map([
            "Enabled": true,
            "Comment": .sub("${AWS::StackName} \(name)"),
            "DefaultRootObject": .string(distribution.defaultRootObject),
            "HttpVersion": "http2and3",
            "IPV6Enabled": true,
            "PriceClass": .string(distribution.priceClass.rawValue),
            "Aliases": .if("HasCustomDomain", [.ref("DomainName")], .noValue),
            "Origins": [
                .map([
                    "Id": .string(originID),
                    "DomainName": .getAtt(distribution.origin.name, "RegionalDomainName"),
                    "OriginAccessControlId": .getAtt("\(name)OriginAccessControl", "Id"),
                    "S3OriginConfig": .map(["OriginAccessIdentity": ""]),
                ])
            ],
            "DefaultCacheBehavior": .map([
                "TargetOriginId": .string(originID),
                "ViewerProtocolPolicy": "redirect-to-https",
                "AllowedMethods": ["GET", "HEAD", "OPTIONS"],
                "CachedMethods": ["GET", "HEAD"],
                "Compress": true,
                "CachePolicyId": .ref("\(name)CachePolicy"),
                "ResponseHeadersPolicyId": .ref("\(name)HeadersPolicy"),
            ]),
            "CustomErrorResponses": errorResponses,
            "Logging": distribution.logging.map {
                .map(["Bucket": .getAtt($0.bucket.name, "RegionalDomainName"), "Prefix": .string($0.prefix), "IncludeCookies": false])
            },
            "ViewerCertificate": .if(
                "HasCustomDomain",
                .map(["AcmCertificateArn": .ref("CertificateArn"), "SslSupportMethod": "sni-only", "MinimumProtocolVersion": .string(distribution.minimumTLS)]),
                .map(["CloudFrontDefaultCertificate": true])),
        ])
        var resource = TemplateResource(
            name, type: "AWS::CloudFront::Distribution",
            properties: [
                TemplateEntry("DistributionConfig", config), TemplateEntry("Tags", tagList),
            ])
        resource.skipCheck(
            "CKV_AWS_68",
            because:
                "The distribution serves only static files; the REST API, which serves data, has its own web ACL. CloudFront web ACLs must be created in us-east-1, outside this regional stack."
        )
        resource.skipCheck(
            "CKV_AWS_174",
            because:
                "TLSv1.2_2021 is set whenever a custom domain and ACM certificate are given (parameters DomainName, CertificateArn); with CloudFront's default certificate AWS fixes the minimum at TLSv1."
        )
        add(resource)
        addCustomDomainParameters()
        output("SiteUrl", .if("HasCustomDomain", .sub("https://${DomainName}"), .sub("https://${\(name).DomainName}")), "URL of the static site")
    }

    mutating func addCustomDomainParameters() {
        guard !template.parameters.contains(where: { $0.key == "DomainName" }) else { return }
        template.parameters += [
            TemplateEntry(
                "DomainName",
                .map([
                    "Type": "String", "Default": "",
                    "Description": "Custom domain of the site; leave empty to use the CloudFront domain.",
                ])),
            TemplateEntry(
                "CertificateArn",
                .map([
                    "Type": "String", "Default": "",
                    "Description": "ACM certificate (us-east-1) for DomainName; with it the site requires TLS 1.2 or later.",
                ])),
        ]
        template.conditions.append(
            TemplateEntry(
                "HasCustomDomain",
                .intrinsic(
                    "Fn::And",
                    .list([
                        .not(.equals(.ref("DomainName"), "")), .not(.equals(.ref("CertificateArn"), "")),
                    ]))))
    }
}

extension MapBuilder {
    /// The entries of a literal, nil values left out.
    static func entries(_ builder: MapBuilder) -> [TemplateEntry] { builder.entries }
}
