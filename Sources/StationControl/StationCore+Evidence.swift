import Foundation
import Journal
import LaneCore

// Measurements as evidence: one `MeasurementRecord` per completed measurement (figures and the data-quality
// ledger), and for a brake run its left and right force curves as `CurveRecord`s.
extension StationCore {
    mutating func journalMeasurement(_ measurement: InspectionMeasurement, lane l: Int) {
        guard let run = lanes[l].run else { return }
        let name: String
        var figures: [String: Double] = [:]
        var started: Int64?
        let quality = measurement.quality
        var curves: [Curve] = []
        let rig: RigID?
        switch measurement {
        case .brake(let m):
            name = m.kind == .parking ? "brake.parking" : "brake.axle\(m.axle)"
            figures = [
                "axle": Double(m.axle), "load_left_dan": m.loadLeft, "load_right_dan": m.loadRight,
                "drag_left_dan": m.dragLeft, "drag_right_dan": m.dragRight, "peak_left_dan": m.peakLeft,
                "peak_right_dan": m.peakRight, "max_rise_difference_dan": m.maxRiseDifference,
                "locked_left": m.lockedLeft ? 1 : 0, "locked_right": m.lockedRight ? 1 : 0,
                "curve_points": Double(m.curve.left.count), "brake_start_index": Double(m.curve.brakeStart),
            ]
            started = Int64(clamping: m.started.nanoseconds)
            rig = lanes[l].lane.station(.brake)?.rig.id
            if !m.curve.offsets.isEmpty {
                // Times are nanoseconds since the curve's first point (the rollers reaching speed).
                let times = m.curve.offsets.map { Int64(clamping: $0) }
                curves.append(Curve(channel: "force_left", unit: "daN", resolution: 0.1, timesNs: times, values: m.curve.left))
                curves.append(Curve(channel: "force_right", unit: "daN", resolution: 0.1, timesNs: times, values: m.curve.right))
            }
        case .headlamp(let m):
            name = "headlamp.\(m.side.rawValue)"
            figures = [
                "low_intensity_cd": m.lowIntensityCd, "low_vertical_h": m.lowVerticalH, "low_horizontal_mm": m.lowHorizontalMm,
                "high_intensity_cd": m.highIntensityCd, "high_vertical_h": m.highVerticalH,
                "high_horizontal_mm": m.highHorizontalMm, "centre_height_mm": m.centreHeightMm,
            ]
            rig = lanes[l].lane.station(.headlamp)?.rig.id
        case .emission(let m):
            name = "emission"
            figures = m.figures
            for (i, k) in m.opacityReadings.enumerated() { figures["opacity_k\(i + 1)"] = k }
            for (i, k) in m.purgeReadings.enumerated() { figures["purge_k\(i + 1)"] = k }
            figures["oil_temperature_c"] = m.oilTemperatureC
            rig = lanes[l].lane.station(.emission)?.rig.id
        }
        figures["quality_samples"] = Double(quality.samples)
        figures["quality_deadline_misses"] = Double(quality.deadlineMisses)
        figures["quality_stale"] = Double(quality.stale)
        figures["quality_timed_out"] = Double(quality.timedOut)
        figures["quality_out_of_range"] = Double(quality.outOfRange)
        figures["quality_gaps"] = Double(quality.gaps)
        figures["quality_lost_samples"] = Double(quality.lostSamples)
        lanes[l].run!.measurementNames.insert("\(run.runNumber)/\(name)")
        guard let writer else { return }
        let id = "\(run.inspection)/\(run.runNumber)/\(name)"
        let record = MeasurementRecord(
            id: id, inspection: run.inspection, station: run.station?.rawValue ?? "", rig: rig, name: name, figures: figures,
            startedMonotonicNs: started, endedMonotonicNs: Int64(clamping: measurement.ended.nanoseconds), at: wall)
        let inspection = run.inspection
        let at = wall
        let curveList = curves
        writer.enqueue("measurement \(id)") { tx, _ in
            _ = try tx.record(record, actor: "station", at: at)
            for curve in curveList {
                _ = try tx.record(curve: try CurveRecord(measurementID: id, inspection: inspection, curve: curve),
                                  actor: "station", at: at)
            }
        }
    }
}
