import Blueprints
import Formwork
import FormworkLambda
import Foundation

// The executable every task-management function runs as `bootstrap`: the function's
// `Handler` (its handler type's name) picks the handler from the blueprint.
let blueprint = TaskManagementBlueprint()
exit(await LambdaRuntime.main { blueprint.functionHandler(named: $0) })
