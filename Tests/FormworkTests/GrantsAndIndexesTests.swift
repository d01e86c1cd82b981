import Formwork
import FormworkTemplate
import FormworkTestSupport
import Foundation
import Testing

/// Bucket grants with a key prefix, typed index handles, statements beyond the grants, and the
/// warning for an environment variable that names a resource the function may not use.
@Suite("Grants for what the DSL can reference")
struct GrantsAndIndexesTests {
    let key = EncryptionKey("DataKey")
    var images: Bucket { Bucket("Images").encryption(.with(key)) }
    let products = Table("Products", partitionKey: .string("sku")).index("ByCategory", partitionKey: .string("category"))

    func synthesize(_ function: Function) -> SynthesisResult {
        let (images, products, key) = (images, products, key)
        return Synthesizer(
            architecture: Architecture("Inventory") {
                key; images; products; function
            }, environment: .dev
        ).synthesize()
    }

    func statements(_ result: SynthesisResult, of function: String) -> [TemplateValue] {
        result.template.resource("\(function)Role")?.value(at: "Policies")?.items.first?["PolicyDocument"]?["Statement"]?.items ?? []
    }

    func statement(_ statements: [TemplateValue], _ sid: String) -> TemplateValue? {
        statements.first { $0["Sid"] == .string(sid) }
    }

    @Test("a bucket grant with a prefix reaches only the objects under it, and lists only their keys")
    func bucketGrantWithPrefix() throws {
        let result = synthesize(
            Function("Thumbnails", handler: RequestOnly.self).grants(.read(images, prefix: "thumbnails/"), .write(images, prefix: "uploads/")))
        #expect(!result.diagnostics.hasErrors, "\(result.diagnostics)")
        let all = statements(result, of: "Thumbnails")
        let read = try #require(statement(all, "ReadObjectsImages"))
        #expect(read["Action"]?.strings == ["s3:GetObject"])
        #expect(read["Resource"] == .sub("${Images.Arn}/thumbnails/*"))
        let list = try #require(statement(all, "ReadObjectsImagesKeys"))
        #expect(list["Action"]?.strings == ["s3:ListBucket"] && list["Resource"] == .getAtt("Images", "Arn"))
        #expect(list["Condition"]?["StringLike"]?["s3:prefix"]?.strings == ["thumbnails/*"])
        let write = try #require(statement(all, "WriteObjectsImages"))
        #expect(write["Action"]?.strings == ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:PutObject", "s3:PutObjectTagging"])
        #expect(write["Resource"] == .sub("${Images.Arn}/uploads/*"))
        #expect(statement(all, "WriteObjectsImagesKeys") == nil, "writing lists nothing")
        // The bucket's customer-managed key: decrypt to read, generate data keys to write.
        #expect(statement(all, "UseKeyDataKey")?["Action"]?.strings == ["kms:Decrypt", "kms:GenerateDataKey"])

        let grant = Grant.read(images, prefix: "thumbnails/")
        #expect(grant.allows("s3:GetObject", on: images.id, key: "thumbnails/a.png"))
        #expect(!grant.allows("s3:GetObject", on: images.id, key: "originals/a.png"))
        #expect(!grant.allows("s3:PutObject", on: images.id, key: "thumbnails/a.png"))
        #expect(grant.allows("s3:ListBucket", on: images.id) && !grant.allows("s3:GetObject", on: products.id, key: "thumbnails/a.png"))
    }

    @Test("a whole-bucket grant has no condition, and read-write is both")
    func wholeBucket() throws {
        let all = statements(synthesize(Function("Gallery", handler: RequestOnly.self).grants(.readWrite(images))), of: "Gallery")
        let objects = try #require(statement(all, "ReadWriteObjectsImages"))
        #expect(objects["Resource"] == .sub("${Images.Arn}/*"))
        #expect(objects["Action"]?.strings == ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject", "s3:PutObjectTagging"])
        #expect(statement(all, "ReadWriteObjectsImagesKeys")?["Condition"] == nil)
    }

    @Test("every Sid of a role is unique and alphanumeric, as IAM requires: two prefixes of one bucket, an index with a hyphen, the flagship")
    func uniqueSids() throws {
        let table = products.index("by-brand", partitionKey: .string("brand"))
        let function = Function("Mixed", handler: RequestOnly.self)
            .grants(.read(images, prefix: "a/"), .read(images, prefix: "b/"), .read(images), .query(table.index("by-brand")))
        let (images, key) = (images, key)
        let result = Synthesizer(
            architecture: Architecture("Inventory") {
                key; images; table; function
            }, environment: .dev
        ).synthesize()
        #expect(!result.diagnostics.hasErrors, "\(result.diagnostics)")
        let sids = statements(result, of: "Mixed").compactMap { $0["Sid"]?.text }
        #expect(sids.contains("ReadObjectsImages2") && sids.contains("ReadObjectsImagesKeys3") && sids.contains("QueryProductsbybrand"), "\(sids)")
        var roles = result.template.resources.filter { $0.type == "AWS::IAM::Role" }
        for environment in Environment.standard { roles += synth(environment).template.resources.filter { $0.type == "AWS::IAM::Role" } }
        for role in roles {
            let sids = (role.value(at: "Policies")?.items ?? []).flatMap { $0["PolicyDocument"]?["Statement"]?.items ?? [] }.compactMap { $0["Sid"]?.text }
            #expect(Set(sids).count == sids.count, "\(role.logicalID): \(sids)")
            #expect(sids.allSatisfy { $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }, "\(role.logicalID): \(sids)")
        }
    }

    @Test("query on one index: Query on that index's ARN, nothing on the table or its other indexes")
    func indexQuery() throws {
        let table = products.index("ByBrand", partitionKey: .string("brand"))
        let byCategory = table.index("ByCategory")
        let function = Function("Catalogue", handler: RequestOnly.self).grants(.query(byCategory)).environment("CATEGORY_INDEX", byCategory)
        let result = Synthesizer(
            architecture: Architecture("Inventory") {
                table; function
            }, environment: .dev
        ).synthesize()
        #expect(!result.diagnostics.hasErrors, "\(result.diagnostics)")
        let all = statements(result, of: "Catalogue")
        let query = try #require(statement(all, "QueryProductsByCategory"))
        #expect(query["Action"]?.strings == ["dynamodb:Query"])
        #expect(query["Resource"] == .sub("${Products.Arn}/index/ByCategory"))
        #expect(!all.contains { $0["Resource"] == .getAtt("Products", "Arn") })
        let variables = try #require(result.template.resource("CatalogueFunction") ?? result.template.resource("Catalogue"))
        #expect(variables.value(at: "Environment", "Variables", "CATEGORY_INDEX") == "ByCategory")

        let grant = Grant.query(byCategory)
        #expect(grant.allows("dynamodb:Query", on: table.id, index: "ByCategory"))
        #expect(!grant.allows("dynamodb:Query", on: table.id, index: "ByBrand"))
        #expect(!grant.allows("dynamodb:Query", on: table.id) && !grant.allows("dynamodb:GetItem", on: table.id))
    }

    @Test("an index the table does not declare is an error where it is named, in a grant or a variable")
    func unknownIndex() {
        let products = self.products
        let grantLine = #line + 1
        let typo = products.index("ByCategoy")
        let variableLine = #line + 1
        let other = products.index("ByBrand")
        let function = Function("Catalogue", handler: RequestOnly.self).grants(.query(typo)).environment("BRAND_INDEX", other)
        let errors = diagnostics(
            Architecture("Inventory") {
                products; function
            }
        ).filter { $0.severity == .error }
        let unknown = errors.filter { $0.message.hasPrefix("table 'Products' has no index") }
        #expect(unknown.map(\.location?.line) == [grantLine, variableLine], "\(errors)")
        #expect(unknown.first?.message == "table 'Products' has no index 'ByCategoy' (it declares ByCategory)")
        #expect(unknown.first?.notes.first?.location.line == products.location.line)
    }

    @Test("a variable naming a resource without a grant is a warning at its line; a grant or a statement of its service silences it")
    func ungrantedReference() {
        let (images, products) = (images, products)
        let line = #line + 1
        let bare = Function("Resizer", handler: RequestOnly.self).environment("IMAGES_BUCKET", images).environment("PRODUCTS_TABLE", products)
            .grants(.read(products))
        let warnings = diagnostics(
            Architecture("Inventory") {
                key; images; products; bare
            }
        ).filter { $0.severity == .warning }
        #expect(warnings.count == 1, "\(warnings)")
        #expect(warnings.first?.location?.line == line)
        #expect(
            warnings.first?.message
                == "function 'Resizer': environment variable IMAGES_BUCKET names bucket 'Images', but the function has no grant on it, so its calls to it will be denied; add .grants(.read(images), .write(images) or .readWrite(images))"
        )
        let granted = bare.grants(.read(images, prefix: "in/"))
        #expect(
            diagnostics(
                Architecture("Inventory") {
                    key; images; products; granted
                }
            ).filter { $0.severity == .warning }.isEmpty)
        let escaped = bare.allowing(["s3:GetObjectAttributes"], on: ["arn:${AWS::Partition}:s3:::*"], because: "reads sizes before resizing")
        #expect(
            diagnostics(
                Architecture("Inventory") {
                    key; images; products; escaped
                }
            ).filter { $0.severity == .warning }.isEmpty)
    }

    @Test("a statement beyond the grants: in the policy, its reason in the role's Metadata, and allowed in the simulator")
    func statementBeyondGrants() throws {
        let function = Function("Reporter", handler: RequestOnly.self)
            .allowing(["cloudwatch:GetMetricData"], on: ["*"], because: "GetMetricData takes no resource ARN")
            .allowing(["ec2:Describe*"], on: ["arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*"], because: "shows instances")
        let result = synthesize(function)
        #expect(!result.diagnostics.hasErrors, "\(result.diagnostics)")
        let all = statements(result, of: "Reporter")
        #expect(statement(all, "BeyondGrants1")?["Action"]?.strings == ["cloudwatch:GetMetricData"])
        #expect(statement(all, "BeyondGrants1")?["Resource"] == "*")
        #expect(statement(all, "BeyondGrants2")?["Resource"] == .sub("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*"))
        let metadata = try #require(result.template.resource("ReporterRole")?.metadata.first { $0.key == "Formwork" }?.value)
        #expect(metadata["StatementsBeyondGrants"]?["BeyondGrants1"] == "GetMetricData takes no resource ARN")
        #expect(metadata["StatementsBeyondGrants"]?["BeyondGrants2"] == "shows instances")
        #expect(metadata["WildcardResources"] != nil, "the tracing note stays beside them")

        let describe = function.extraStatements[1]
        #expect(describe.allows("ec2:DescribeInstances", arn: "arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc"))
        #expect(describe.allows("EC2:describeinstances", arn: "arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc"), "actions ignore case")
        #expect(!describe.allows("ec2:TerminateInstances", arn: "arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc"))
        #expect(!describe.allows("ec2:DescribeInstances", arn: "arn:aws:ec2:eu-west-1:123456789012:volume/vol-1"))
    }

    @Test(
        "broken statements and prefixes are errors at their lines",
        arguments: [
            (["s3:GetObject"], ["*"], " ", "needs a reason"),
            (["*"], ["*"], "everything", "allows every action of every service"),
            (["GetObject"], ["*"], "no service", "is not an IAM action"),
            (["s3:GetObject"], ["my-bucket/*"], "not an ARN", "is neither an ARN nor '*'"),
            ([String](), ["*"], "nothing", "at least one action and one resource"),
        ])
    func brokenStatements(actions: [String], resources: [String], reason: String, message: String) {
        let line = #line + 1
        let function = Function("Broken", handler: RequestOnly.self).allowing(actions, on: resources, because: reason)
        let errors = diagnostics(Architecture("Inventory") { function }).filter { $0.severity == .error && $0.message.contains(message) }
        #expect(errors.count == 1 && errors.first?.location?.line == line, "\(errors)")
    }

    @Test("an empty or wildcard prefix is an error, a leading slash a warning")
    func prefixes() {
        let images = self.images
        let emptyLine = #line + 1
        let empty = Function("A", handler: RequestOnly.self).grants(.read(images, prefix: ""))
        let wildLine = #line + 1
        let wild = Function("B", handler: RequestOnly.self).grants(.read(images, prefix: "a*/"))
        let slashLine = #line + 1
        let slash = Function("C", handler: RequestOnly.self).grants(.read(images, prefix: "/a/"))
        let found = diagnostics(
            Architecture("Inventory") {
                key; images; empty; wild; slash
            }
        ).filter { $0.message.contains("prefix") }
        #expect(found.map(\.location?.line) == [emptyLine, wildLine, slashLine], "\(found)")
        #expect(found.map(\.severity) == [.error, .error, .warning])
    }
}
