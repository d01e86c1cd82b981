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
        let build = [
            "make test",
            "swift run formwork check",
            "swift run formwork synth --all",
            "swift run formwork package",
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
            "./bin/formwork diff --env \"$ENVIRONMENT\" --against deployed.json --format text --fail-on \"$FAIL_ON\"",
        ]
        return buildspec("buildspec-diff.yml", phases: [("install", install), ("build", build)], artifacts: [])
    }

    private func buildspec(_ name: String, phases: [(String, [String])], artifacts: [String]) -> Buildspec {
        var entries: [TemplateEntry] = [
            TemplateEntry("version", "0.2"),
            TemplateEntry("env", .map([TemplateEntry("shell", "bash")])),
            TemplateEntry("phases", .map(phases.map { TemplateEntry($0.0, .map([TemplateEntry("commands", .strings($0.1))])) })),
        ]
        if !artifacts.isEmpty { entries.append(TemplateEntry("artifacts", .map([TemplateEntry("files", .strings(artifacts))]))) }
        return Buildspec(fileName: name, document: .map(entries), commands: phases.flatMap(\.1))
    }
}
