import Formwork

/// The artifact key and bucket, and the CodeBuild projects with their log groups.
extension PipelineSynthesizer {

    var artifactKey: TemplateResource {
        var key = TemplateResource("ArtifactKey", type: "AWS::KMS::Key", properties: [])
        key.properties = [
            TemplateEntry("Description", .string("Encrypts \(blueprint.name)'s pipeline artifacts, build logs and notifications")),
            TemplateEntry("EnableKeyRotation", true),
            TemplateEntry("PendingWindowInDays", 30),
            TemplateEntry(
                "KeyPolicy",
                .policyDocument([
                    .map([
                        "Sid": "AccountAdministersKey", "Effect": "Allow",
                        "Principal": .map(["AWS": .sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")]),
                        "Action": "kms:*", "Resource": "*",
                    ]),
                    .map([
                        "Sid": "CloudWatchLogsEncryptsBuildLogs", "Effect": "Allow",
                        "Principal": .map(["Service": .sub("logs.${AWS::Region}.amazonaws.com")]),
                        "Action": .strings(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo"]),
                        "Resource": "*",
                        "Condition": .map([
                            "ArnLike": .map([
                                "kms:EncryptionContext:aws:logs:arn": .sub(
                                    "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/codebuild/${AWS::StackName}-*")
                            ])
                        ]),
                    ]),
                    .map([
                        "Sid": "CloudWatchLogsDescribesKey", "Effect": "Allow",
                        "Principal": .map(["Service": .sub("logs.${AWS::Region}.amazonaws.com")]),
                        "Action": "kms:DescribeKey", "Resource": "*",
                    ]),
                    .map([
                        "Sid": "NotificationsPublishEncrypted", "Effect": "Allow",
                        "Principal": .map(["Service": "codestar-notifications.amazonaws.com"]),
                        "Action": .strings(["kms:Decrypt", "kms:GenerateDataKey"]), "Resource": "*",
                        "Condition": .map(["StringEquals": .map(["kms:ViaService": .sub("sns.${AWS::Region}.amazonaws.com")])]),
                    ]),
                ])),
            TemplateEntry("Tags", tagList),
        ]
        key.deletionPolicy = "Retain"
        key.updateReplacePolicy = "Retain"
        return key
    }

    var artifactKeyAlias: TemplateResource {
        TemplateResource(
            "ArtifactKeyAlias", type: "AWS::KMS::Alias",
            properties: [
                TemplateEntry("AliasName", .sub("alias/${AWS::StackName}-artifacts")), TemplateEntry("TargetKeyId", .ref("ArtifactKey")),
            ])
    }

    var artifactBucket: TemplateResource {
        var bucket = TemplateResource(
            "ArtifactBucket", type: "AWS::S3::Bucket",
            properties: [
                TemplateEntry(
                    "BucketEncryption",
                    .map([
                        "ServerSideEncryptionConfiguration": .list([
                            .map([
                                "ServerSideEncryptionByDefault": .map(["SSEAlgorithm": "aws:kms", "KMSMasterKeyID": .getAtt("ArtifactKey", "Arn")]),
                                "BucketKeyEnabled": true,
                            ])
                        ])
                    ])),
                TemplateEntry("VersioningConfiguration", .map(["Status": "Enabled"])),
                TemplateEntry(
                    "PublicAccessBlockConfiguration",
                    .map(["BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true])),
                TemplateEntry("OwnershipControls", .map(["Rules": .list([.map(["ObjectOwnership": "BucketOwnerEnforced"])])])),
                TemplateEntry(
                    "LifecycleConfiguration",
                    .map([
                        "Rules": .list([
                            // Current objects stay: the deployed stacks' packaged code lives here, and a
                            // rollback needs it. Replaced versions and unfinished uploads go.
                            .map([
                                "Id": "ExpireReplacedArtifacts", "Status": "Enabled",
                                "NoncurrentVersionExpiration": .map(["NoncurrentDays": .int(delivery.artifactRetention.days)]),
                                "AbortIncompleteMultipartUpload": .map(["DaysAfterInitiation": 7]),
                            ])
                        ])
                    ])),
                TemplateEntry("Tags", tagList),
            ])
        bucket.skipCheck(
            "CKV_AWS_18",
            because:
                "Build artifacts and packaged code, read only by the pipeline's roles; CloudTrail records their access")
        return bucket
    }

    var artifactBucketPolicy: TemplateResource {
        TemplateResource(
            "ArtifactBucketPolicy", type: "AWS::S3::BucketPolicy",
            properties: [
                TemplateEntry("Bucket", .ref("ArtifactBucket")),
                TemplateEntry(
                    "PolicyDocument",
                    .policyDocument([
                        .map([
                            "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                            "Resource": .list([.getAtt("ArtifactBucket", "Arn"), .sub("${ArtifactBucket.Arn}/*")]),
                            "Condition": .map(["Bool": .map(["aws:SecureTransport": "false"])]),
                        ])
                    ])),
            ])
    }

    // MARK: - Builds

    /// The bootstrap's CodeBuild project for `architecture`.
    static func bootstrapProject(_ architecture: CPUArchitecture) -> String { "Bootstrap\(architecture == .arm64 ? "Arm64" : "X86")Project" }

    /// The artifact a bootstrap project outputs, and the build reads at `$CODEBUILD_SRC_DIR_<name>`.
    static func bootstrapArtifact(_ architecture: CPUArchitecture) -> String { "Bootstrap_\(architecture.rawValue)" }

    /// The log group, role and projects that build the functions' bootstrap, one project per architecture.
    var bootstrapResources: [TemplateResource] {
        guard !bootstrapArchitectures.isEmpty else { return [] }
        return [logGroup("BootstrapLogs", suffix: Self.logSuffix(.bootstrap)), bootstrapRole]
            + bootstrapArchitectures.map { architecture in
                project(
                    Self.bootstrapProject(architecture), suffix: "\(Self.logSuffix(.bootstrap))-\(architecture.rawValue)",
                    role: DeliveryRole.bootstrap.rawValue,
                    logs: "BootstrapLogs", buildspec: bootstrapBuildspec, compute: "BUILD_GENERAL1_LARGE", minutes: 60, image: "BootstrapImage",
                    architecture: architecture)
            }
    }

    func logGroup(_ id: String, suffix: String) -> TemplateResource {
        var group = TemplateResource(
            id, type: "AWS::Logs::LogGroup",
            properties: [
                TemplateEntry("LogGroupName", .sub("/aws/codebuild/${AWS::StackName}-\(suffix)")),
                TemplateEntry("RetentionInDays", .int(delivery.logRetention.days)),
                TemplateEntry("KmsKeyId", .getAtt("ArtifactKey", "Arn")),
                TemplateEntry("Tags", tagList),
            ])
        group.deletionPolicy = "Delete"
        group.updateReplacePolicy = "Delete"
        return group
    }

    func project(
        _ id: String, suffix: String, role: String, logs: String, buildspec: Buildspec, compute: String, minutes: Int,
        image: String = "BuildImage", architecture: CPUArchitecture = .arm64, namesArtifactBucket: Bool = false
    ) -> TemplateResource {
        var environment: [TemplateEntry] = [
            TemplateEntry("Type", architecture == .arm64 ? "ARM_CONTAINER" : "LINUX_CONTAINER"), TemplateEntry("ComputeType", .string(compute)),
            TemplateEntry("Image", .ref(image)),
        ]
        if namesArtifactBucket {
            // `sam package` uploads there.
            environment.append(
                TemplateEntry("EnvironmentVariables", .list([.map(["Name": "ARTIFACT_BUCKET", "Type": "PLAINTEXT", "Value": .ref("ArtifactBucket")])])))
        }
        return TemplateResource(
            id, type: "AWS::CodeBuild::Project",
            properties: [
                TemplateEntry("Name", .sub("${AWS::StackName}-\(suffix)")),
                TemplateEntry("ServiceRole", .getAtt(role, "Arn")),
                TemplateEntry("Artifacts", .map(["Type": "CODEPIPELINE"])),
                TemplateEntry("Source", .map(["Type": "CODEPIPELINE", "BuildSpec": .string("output/\(Self.directory)/\(buildspec.fileName)")])),
                TemplateEntry("Environment", .map(environment)),
                TemplateEntry("EncryptionKey", .getAtt("ArtifactKey", "Arn")),
                TemplateEntry("LogsConfig", .map(["CloudWatchLogs": .map(["Status": "ENABLED", "GroupName": .ref(logs)])])),
                TemplateEntry("TimeoutInMinutes", .int(minutes)),
                TemplateEntry("Tags", tagList),
            ])
    }
}
