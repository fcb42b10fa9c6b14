public import LaneCore

/// One of the firmware models, chosen by the register map's rig kind.
public enum AnyRigModel: Sendable {
    case brake(BrakeTesterModel)
    case headlamp(HeadlampTesterModel)
    case exhaust(ExhaustAnalyserModel)

    /// The model for `map.kind`, with the map's firmware settings.
    public init(map: RegisterMap, seed: UInt64) {
        switch map.kind {
        case .brakeTester: self = .brake(BrakeTesterModel(settings: .init(map.settings), seed: seed))
        case .headlampTester: self = .headlamp(HeadlampTesterModel(settings: .init(map.settings), seed: seed))
        case .exhaustAnalyser: self = .exhaust(ExhaustAnalyserModel(settings: .init(map.settings), seed: seed))
        }
    }

    /// Runs `body` on the wrapped model.
    mutating func withModel<R>(_ body: (inout any RigModel) -> R) -> R {
        switch self {
        case .brake(let model):
            var any: any RigModel = model
            defer { self = .brake(any as! BrakeTesterModel) }
            return body(&any)
        case .headlamp(let model):
            var any: any RigModel = model
            defer { self = .headlamp(any as! HeadlampTesterModel) }
            return body(&any)
        case .exhaust(let model):
            var any: any RigModel = model
            defer { self = .exhaust(any as! ExhaustAnalyserModel) }
            return body(&any)
        }
    }
}
