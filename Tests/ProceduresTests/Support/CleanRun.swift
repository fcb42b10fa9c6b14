import InspectionRules
import LaneCore
import Procedures
import Testing

/// Whether an end-to-end run can be compared: neither refused by the data-quality gate nor aborted. A run that
/// was refused or aborted is still checked: every item it judged must be `incomplete` (never a verdict on bad data).
func isCleanRun(_ events: [PipelineEvent], sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    var refused = false
    for case .verdict(let v) in events where v.qualityReason != nil {
        refused = true
        #expect(v.item.verdict == .incomplete, "\(v.item.id) judged on samples the quality gate refused",
                sourceLocation: sourceLocation)
        print("quality gate (run repeated):", v.item.id, v.qualityReason!.en)
    }
    var aborted = false
    for case .aborted(let a) in events {
        aborted = true
        print("aborted (run repeated):", a.step, a.reason.en)
    }
    if aborted {
        for case .verdict(let v) in events {
            #expect(v.item.verdict == .incomplete, "\(v.item.id) judged after the run was aborted",
                    sourceLocation: sourceLocation)
        }
    }
    return !refused && !aborted
}
