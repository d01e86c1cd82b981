import Formwork

/// The buildspecs the pipeline's CodeBuild projects run.
extension PipelineSynthesizer {

    /// The packaged template of an environment, as the build writes it and the deploy action reads it.
    func packagedTemplate(_ environment: Environment) -> String { "packaged/\(environment.name).yaml" }

    /// The AWS CLI the diff gate reads the deployed template with, pinned.
    static let awsCLI = "awscli==1.45.11"

    /// Where the build keeps the Python tools `make deps` installs (Debian's own Python refuses
    /// packages outside a virtual environment).
    static let toolsVenv = "/opt/formwork-tools"

    var buildBuildspec: Buildspec {
        let install = [
            "apt-get update", "apt-get install -y --no-install-recommends python3 python3-venv git",
            "python3 -m venv \(Self.toolsVenv)", "export PATH=\"\(Self.toolsVenv)/bin:$PATH\"", "make deps",
        ]
        // The bootstrap comes from the bootstrap projects, built on the runtime's glibc; `package`
        // checks it and zips it at every CodeUri.
        let bootstraps = bootstrapArchitectures.map { " --bootstrap \"$CODEBUILD_SRC_DIR_\(Self.bootstrapArtifact($0))/\(bootstrapPath)\"" }
        let build = [
            "make test",
            "swift run formwork check",
            "swift run formwork synth --all",
            "swift run formwork package" + bootstraps.joined(),
            "swift build -c release --product formwork",
        ]
        // `make test` installed the pinned SAM CLI in .venv-sam.
        let post =
            ["mkdir -p bin packaged", "cp \"$(swift build -c release --show-bin-path)/formwork\" bin/formwork"]
            + delivery.stages.map { env in
                ".venv-sam/bin/sam package --template-file output/\(env.name)/template.yaml --s3-bucket \"$ARTIFACT_BUCKET\" "
                    + "--s3-prefix \(blueprint.stackName(for: env)) --output-template-file \(packagedTemplate(env))"
            }
        return buildspec(
            "buildspec-build.yml", phases: [("install", install), ("build", build), ("post_build", post)],
            artifacts: ["packaged/**/*", "output/**/*", "bin/formwork"])
    }

    /// Where a bootstrap project leaves the executable in its artifact.
    var bootstrapPath: String { "bootstrap/\(blueprint.functionsExecutable)" }

    /// Builds the functions executable on the bootstrap image, whose glibc is no newer than the
    /// runtime's, for the architecture of the project that runs it.
    var bootstrapBuildspec: Buildspec {
        let product = blueprint.functionsExecutable
        let build = "swift build -c release --product \(product) --static-swift-stdlib"
        return buildspec(
            "buildspec-bootstrap.yml",
            phases: [("build", [build, "mkdir -p bootstrap", "cp \"$(\(build) --show-bin-path)/\(product)\" \(bootstrapPath)"])],
            artifacts: [bootstrapPath])
    }

    /// The gate's verdict, one line, which heads the approval's message.
    static let verdictVariable = "VERDICT"
    /// The gate's build page, the approval's link.
    static let reportVariable = "REPORT_URL"
    /// The pipeline variables the gate exports for the approval that follows it.
    static let gateVariables = [verdictVariable, reportVariable]

    var gateBuildspec: Buildspec {
        let install = [
            "apt-get update", "apt-get install -y --no-install-recommends python3 python3-venv libyaml-0-2", "python3 -m venv .venv-aws",
            ".venv-aws/bin/pip install --quiet \(Self.awsCLI)",
        ]
        // A stack that does not exist, or exists only as a first change set under review, has no
        // template yet: everything is new.
        let build = [
            "if [ \"$ALLOW_DATA_LOSS\" = true ]; then FAIL_ON=none; fi",
            "STATUS=\"$(.venv-aws/bin/aws cloudformation describe-stacks --stack-name \"$STACK_NAME\" --query 'Stacks[0].StackStatus' --output text 2> /dev/null || echo NONE)\"",
            "if [ \"$STATUS\" != NONE ] && [ \"$STATUS\" != REVIEW_IN_PROGRESS ]; then "
                + ".venv-aws/bin/aws cloudformation get-template --stack-name \"$STACK_NAME\" --template-stage Original > deployed.json; "
                + "else echo '{\"TemplateBody\": {\"Resources\": {}}}' > deployed.json; fi",
            "chmod +x bin/formwork",
            // What will be deployed (the packaged template) against what is: code shows as changed
            // only when its package did.
            "FOUND=0; ./bin/formwork diff --env \"$ENVIRONMENT\" --template \"packaged/$ENVIRONMENT.yaml\" --against deployed.json --format text "
                + "--fail-on \"$FAIL_ON\" > report.txt || FOUND=$?; cat report.txt",
            "VERDICT=\"$(sed -n 2p report.txt)\"; VERDICT=\"${VERDICT:-no difference}\"",
            // The build's page in the console, from documented variables; a link must not be empty.
            "export REPORT_URL=\"https://${AWS_REGION}.console.aws.amazon.com/codesuite/codebuild/projects/${CODEBUILD_BUILD_ID%%:*}/build/"
                + "${CODEBUILD_BUILD_ID/:/%3A}/?region=${AWS_REGION}\"",
            "if [ \"$FOUND\" = 1 ] && [ \"$APPROVAL_DECIDES\" = true ]; then VERDICT=\"STOPS at $FAIL_ON, the approval decides: $VERDICT\"; FOUND=0; "
                + "elif [ \"$FOUND\" = 0 ]; then VERDICT=\"passes at $FAIL_ON: $VERDICT\"; fi",
            // The approval's message is limited to 1,000 characters once resolved.
            "export VERDICT=\"${VERDICT:0:300}\"",
            "echo \"diff gate: $VERDICT\"",
            "test \"$FOUND\" = 0",
        ]
        return buildspec(
            "buildspec-diff.yml", phases: [("install", install), ("build", build)], artifacts: [], exportedVariables: Self.gateVariables)
    }

    private func buildspec(_ name: String, phases: [(String, [String])], artifacts: [String], exportedVariables: [String] = []) -> Buildspec {
        var environment = [TemplateEntry("shell", "bash")]
        if !exportedVariables.isEmpty { environment.append(TemplateEntry("exported-variables", .strings(exportedVariables))) }
        var entries: [TemplateEntry] = [
            TemplateEntry("version", "0.2"),
            TemplateEntry("env", .map(environment)),
            TemplateEntry("phases", .map(phases.map { TemplateEntry($0.0, .map([TemplateEntry("commands", .strings($0.1))])) })),
        ]
        if !artifacts.isEmpty { entries.append(TemplateEntry("artifacts", .map([TemplateEntry("files", .strings(artifacts))]))) }
        return Buildspec(fileName: name, document: .map(entries), commands: phases.flatMap(\.1))
    }
}
