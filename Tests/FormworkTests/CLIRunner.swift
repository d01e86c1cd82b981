import Formwork
import FormworkCLI

enum FormworkCLIRunner {
    static func run(blueprints: [any Blueprint], arguments: [String], out: Captured, err: Captured) async -> Int32 {
        await FormworkCLI.run(blueprints: blueprints, arguments: arguments,
                        output: TextSink(out: { out.append($0) }, err: { err.append($0) }))
    }
}
