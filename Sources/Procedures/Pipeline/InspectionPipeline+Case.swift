import InspectionRules
import LaneCore

extension InspectionPipeline {
    /// The brake section: measured axles (all configured axles when `complete`, unmeasured ones missing).
    func brakeTest(complete: Bool) -> BrakeTest {
        let count = brake?.configuration.axles ?? 0
        var axles: [BrakeAxle] = []
        for number in 1...max(count, 1) where number <= count {
            let run = brakeRuns.first { $0.kind == .service && $0.axle == number }
            if run == nil && !complete { continue }
            var axle = BrakeAxle(index: number, position: number == 1 ? .front : .rear, wheels: 2)
            if let run, run.quality.isClean {
                axle.load = .value(run.loadLeft + run.loadRight)
                axle.peakLeft = .value(run.peakLeft)
                axle.peakRight = .value(run.peakRight)
                axle.maxRiseDifference = .value(run.maxRiseDifference)
                axle.dragLeft = .value(run.dragLeft)
                axle.dragRight = .value(run.dragRight)
                axle.lockedLeft = run.lockedLeft
                axle.lockedRight = run.lockedRight
            } else {
                axle.load = .missing
                axle.peakLeft = .missing
                axle.peakRight = .missing
                axle.maxRiseDifference = .missing
                axle.dragLeft = .missing
                axle.dragRight = .missing
            }
            axles.append(axle)
        }
        var test = BrakeTest(unit: .daN, axles: .value(axles))
        if complete, brake?.configuration.parkingAxle != nil {
            if let run = brakeRuns.first(where: { $0.kind == .parking }), run.quality.isClean {
                test.parkingTotal = .value(run.peakLeft + run.peakRight)
            } else {
                test.parkingTotal = .missing
            }
        }
        return test
    }

    func headlampSection() -> Reading<[HeadlampReading]> {
        guard let sides = headlamp?.configuration.sides else { return .absent }
        var readings: [HeadlampReading] = []
        for side in sides {
            var reading = HeadlampReading(side: side == .left ? .left : .right, lamp: .main)
            if let lamp = lamps.first(where: { $0.side == side }), lamp.quality.isClean {
                reading.highBeamCd = .value(lamp.highIntensityCd)
                reading.lowBeamVerticalH = .value(lamp.lowVerticalH)
                reading.lowBeamHorizontalMm = .value(lamp.lowHorizontalMm)
                reading.centreHeightMm = .value(lamp.centreHeightMm)
            } else {
                reading.highBeamCd = .missing
                reading.lowBeamVerticalH = .missing
                reading.lowBeamHorizontalMm = .missing
                reading.centreHeightMm = .missing
            }
            readings.append(reading)
        }
        return .value(readings)
    }

    func emissionSection() -> Reading<EmissionTest> {
        guard let configuration = emission?.configuration else { return .absent }
        switch configuration.method {
        case .twoSpeedIdle:
            var test = EmissionTest(method: .twoSpeedIdle)
            let figures: [EmissionTest.Figure] = [
                .idleCO, .idleHC, .idleRPM, .highIdleCO, .highIdleHC, .highIdleLambda, .highIdleRPM,
            ]
            for figure in figures {
                if let result = emissionResult, result.quality.isClean, let value = result.figures[figure.rawValue] {
                    test.figures[figure] = .value(value)
                } else {
                    test.figures[figure] = .missing
                }
            }
            return .value(test)
        case .asm:
            var test = EmissionTest(method: .asm)
            let figures: [String: [EmissionTest.Figure]] = [
                "5025": [.asm5025CO, .asm5025HC, .asm5025NO], "2540": [.asm2540CO, .asm2540HC, .asm2540NO],
            ]
            // The modes this station runs: a mode's figures are missing (incomplete) until measured.
            for mode in configuration.asm?.modes ?? [] {
                for figure in figures[mode.name] ?? [] {
                    if let result = emissionResult, result.quality.isClean, let value = result.figures[figure.rawValue] {
                        test.figures[figure] = .value(value)
                    } else {
                        test.figures[figure] = .missing
                    }
                }
            }
            return .value(test)
        case .freeAcceleration:
            var test = EmissionTest(method: .freeAcceleration)
            if let result = emissionResult, result.quality.isClean {
                test.opacityReadings = .value(result.opacityReadings)
            } else {
                test.opacityReadings = .missing
            }
            return .value(test)
        }
    }

    /// Why the data behind a JSON path cannot be trusted, if a measurement failed the quality gate.
    func qualityReason(for paths: [String]) -> LocalizedText? {
        for path in paths {
            if path.hasPrefix("brake.axles[") {
                let number = Int(path.dropFirst("brake.axles[".count).prefix { $0.isNumber }).map { $0 + 1 }
                if let run = brakeRuns.first(where: { $0.kind == .service && $0.axle == number }), let reason = run.quality.reason {
                    return reason
                }
            } else if path.hasPrefix("brake.parking") {
                if let reason = brakeRuns.first(where: { $0.kind == .parking })?.quality.reason { return reason }
            } else if path.hasPrefix("headlamps[") {
                let index = Int(path.dropFirst("headlamps[".count).prefix { $0.isNumber })
                if let index, let sides = headlamp?.configuration.sides, index < sides.count,
                    let reason = lamps.first(where: { $0.side == sides[index] })?.quality.reason
                {
                    return reason
                }
            } else if path.hasPrefix("emission"), let reason = emissionResult?.quality.reason {
                return reason
            }
        }
        return nil
    }

    /// Evaluates `ruleCase` and publishes the items that match and are not yet published.
    mutating func publish(
        _ ruleCase: RuleCase, station: StationKind, at time: MonotonicInstant, where include: (String) -> Bool,
        into events: inout [PipelineEvent]
    ) {
        let items: [RuleItem]
        do {
            items = try RuleEngine.evaluate(ruleCase).items
        } catch {
            // The measured figures cannot be judged (the engine says where): every item of the
            // station is incomplete with that reason rather than silently missing.
            let item = RuleItem(
                id: "\(station.rawValue).input", value: nil, unit: "", limit: nil, verdict: .incomplete,
                clause: "input", missing: [error.path], subject: .section(station.rawValue),
                notes: [.reason(en: error.message, zh: error.messageZH)])
            if published.insert(item.id).inserted {
                events.append(.verdict(VerdictEvent(station: station, item: item, lastSampleTime: time, qualityReason: nil)))
            }
            return
        }
        let prefix = station == .headlamp ? "headlamp" : station.rawValue
        for var item in items where item.id.hasPrefix(prefix) && include(item.id) && !published.contains(item.id) {
            published.insert(item.id)
            var reason: LocalizedText?
            if item.verdict == .incomplete, let found = qualityReason(for: item.missing) {
                reason = found
                item.notes.append(.reason(en: found.en, zh: found.zh))
            }
            events.append(.verdict(VerdictEvent(station: station, item: item, lastSampleTime: time, qualityReason: reason)))
        }
    }
}
