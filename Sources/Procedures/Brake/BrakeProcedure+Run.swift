import LaneCore

extension BrakeProcedure {
    mutating func startRun(_ index: Int, at time: MonotonicInstant, into actions: inout [ProcedureAction]) {
        runIndex = index
        run = RunState()
        let step = plan[index]
        deadline = time + configuration.axleArrivalTimeout
        if step.kind == .parking {
            _ = prompts.issue(
                "驻车制动检测：第\(step.axle)轴停在滚筒上，挂空挡，听到提示后拉紧驻车制动，就位后确认",
                "Parking brake: keep axle \(step.axle) on the rollers in neutral, apply the parking brake when told; confirm when ready",
                expects: .confirm, at: time, into: &actions)
            phase = .awaitingAxle(confirm: true, sawEmpty: false)
        } else if index == 0 {
            _ = prompts.issue(
                "请将第1轴驶上制动台滚筒，挂空挡，松开制动", "Drive axle 1 onto the brake rollers, neutral, brakes released",
                at: time, into: &actions)
            phase = .awaitingAxle(confirm: false, sawEmpty: false)
        } else {
            _ = prompts.issue(
                "请将第\(step.axle)轴驶上制动台滚筒，到位后确认", "Drive axle \(step.axle) onto the brake rollers and confirm",
                expects: .confirm, at: time, into: &actions)
            phase = .awaitingAxle(confirm: true, sawEmpty: false)
        }
    }

    /// The axle is in place: weigh it (service) or start the rollers (parking, already weighed).
    mutating func proceed(at time: MonotonicInstant, into actions: inout [ProcedureAction]) {
        run = RunState()
        run.started = time
        nonGood = 0
        let step = plan[runIndex]
        if step.kind == .parking, let load = loads[step.axle] {
            run.loadLeft = load.left
            run.loadRight = load.right
            startRollers(at: time, into: &actions)
        } else {
            phase = .weighing
            deadline = time + configuration.weighTimeout
        }
    }

    mutating func weigh(_ v: [Double], at time: MonotonicInstant, onRollers: Bool, into actions: inout [ProcedureAction]) {
        let left = v[channels.loadLeft]
        let right = v[channels.loadRight]
        let total = left + right
        guard onRollers, total >= configuration.minimumAxleLoad else {
            run.windowStart = nil
            return
        }
        if let start = run.windowStart, max(run.windowMax, total) - min(run.windowMin, total) <= configuration.weighTolerance {
            run.windowMin = min(run.windowMin, total)
            run.windowMax = max(run.windowMax, total)
            run.sumLeft += left
            run.sumRight += right
            run.count += 1
            if time.since(start) >= configuration.weighWindow, run.count >= 3 {
                run.loadLeft = run.sumLeft / Double(run.count)
                run.loadRight = run.sumRight / Double(run.count)
                loads[plan[runIndex].axle] = (run.loadLeft, run.loadRight)
                startRollers(at: time, into: &actions)
            }
        } else {
            run.windowStart = time
            run.windowMin = total
            run.windowMax = total
            run.sumLeft = left
            run.sumRight = right
            run.count = 1
        }
    }

    mutating func startRollers(at time: MonotonicInstant, into actions: inout [ProcedureAction]) {
        actions.append(.command(RigCommand(rig: rig, name: "rollers_run", value: 1)))
        rollersCommanded = true
        phase = .spinningUp
        deadline = time + configuration.spinUpTimeout
    }

    mutating func stopRollers(into actions: inout [ProcedureAction]) {
        actions.append(.command(RigCommand(rig: rig, name: "rollers_run", value: 0)))
        rollersCommanded = false
    }

    mutating func appendPoint(_ v: [Double], at time: MonotonicInstant) {
        run.curve.offsets.append(time.nanoseconds &- run.atSpeed.nanoseconds)
        run.curve.left.append(v[channels.forceLeft])
        run.curve.right.append(v[channels.forceRight])
    }

    mutating func measureDrag(_ v: [Double], at time: MonotonicInstant, into actions: inout [ProcedureAction]) {
        appendPoint(v, at: time)
        if v[channels.rollerState] != 2 {
            abort(zh: "滚筒意外停止", en: "the rollers stopped unexpectedly", at: time, into: &actions)
            return
        }
        if v[channels.pedal] >= configuration.pedalReleased {
            // Drag is only drag with the pedal released: start the window again.
            run.dragStart = time + configuration.dragSettle
            run.count = 0
            run.sumLeft = 0
            run.sumRight = 0
            deadline = run.dragStart + configuration.dragWindow + configuration.spinUpTimeout
            return
        }
        guard time >= run.dragStart else { return }
        run.sumLeft += v[channels.forceLeft]
        run.sumRight += v[channels.forceRight]
        run.count += 1
        if time.since(run.dragStart) >= configuration.dragWindow {
            run.dragLeft = run.sumLeft / Double(run.count)
            run.dragRight = run.sumRight / Double(run.count)
            run.curve.brakeStart = run.curve.left.count
            let parking = plan[runIndex].kind == .parking
            _ = prompts.issue(
                parking ? "请拉紧驻车制动" : "请踩下制动踏板，逐渐踩到底", parking ? "Apply the parking brake now" : "Brake now: press the pedal steadily to the floor",
                at: time, into: &actions)
            phase = .braking
            deadline = time + configuration.brakeTimeout
        }
    }

    mutating func brake(_ v: [Double], at time: MonotonicInstant, into actions: inout [ProcedureAction]) {
        let left = v[channels.forceLeft]
        let right = v[channels.forceRight]
        let index = run.curve.left.count
        appendPoint(v, at: time)
        if left > run.peakLeft {
            run.peakLeft = left
            run.peakLeftIndex = index
        }
        if right > run.peakRight {
            run.peakRight = right
            run.peakRightIndex = index
        }
        let sum = left + right
        run.maxSum = max(run.maxSum, sum)
        let drag = run.dragLeft + run.dragRight
        if !run.braking, sum > drag + configuration.brakingThreshold { run.braking = true }

        // Safety first: a slipping wheel stops the rollers in this very step.
        let threshold = configuration.slipThresholdPercent
        let slipLeft = channels.slipLeft.map { v[$0] >= 0.5 } ?? false || v[channels.slipLeftPct] >= threshold
        let slipRight = channels.slipRight.map { v[$0] >= 0.5 } ?? false || v[channels.slipRightPct] >= threshold
        if slipLeft || slipRight {
            stopRollers(into: &actions)
            run.stopSent = true
            run.lockedLeft = slipLeft
            run.lockedRight = slipRight
            finishRun(at: time, into: &actions)
            return
        }
        if v[channels.rollerState] != 2 {
            let fault = UInt16(truncatingIfNeeded: Int(v[channels.faultWord]))
            if fault & 0b1_0000 != 0 {  // bit 4 (docs/register-maps.md)
                // The tester's communication watchdog stopped the rollers: it did not hear this controller for its
                // `comms_watchdog_seconds`, so the samples behind this run have a hole. Never a measurement.
                abort(
                    zh: "制动台因与控制器通信中断自行停止了滚筒", en: "the brake tester stopped the rollers itself: it lost contact with the controller",
                    at: time, into: &actions)
                return
            }
            if run.braking {
                // The firmware stopped the rollers (its own slip stop): the run is measured.
                if fault & 0b10 != 0 {
                    run.lockedLeft = v[channels.slipLeftPct] >= threshold / 2
                    run.lockedRight = v[channels.slipRightPct] >= threshold / 2
                }
                finishRun(at: time, into: &actions)
            } else {
                abort(zh: "滚筒意外停止", en: "the rollers stopped unexpectedly", at: time, into: &actions)
            }
            return
        }
        if run.braking, sum <= drag + configuration.releaseFraction * (run.maxSum - drag) {
            finishRun(at: time, into: &actions)
        }
    }

    mutating func finishRun(at time: MonotonicInstant, into actions: inout [ProcedureAction]) {
        if !run.stopSent { stopRollers(into: &actions) }
        rollersCommanded = false
        let curve = run.curve
        let riseEnd = min(run.peakLeftIndex, run.peakRightIndex)
        var difference = 0.0
        if curve.brakeStart <= riseEnd {
            for i in curve.brakeStart...riseEnd { difference = max(difference, abs(curve.left[i] - curve.right[i])) }
        }
        let step = plan[runIndex]
        let measurement = BrakeRunMeasurement(
            kind: step.kind, axle: step.axle, loadLeft: run.loadLeft, loadRight: run.loadRight, dragLeft: run.dragLeft,
            dragRight: run.dragRight, peakLeft: run.peakLeft, peakRight: run.peakRight, maxRiseDifference: difference,
            lockedLeft: run.lockedLeft, lockedRight: run.lockedRight, curve: curve, quality: run.quality,
            started: run.started, ended: time)
        actions.append(.measured(.brake(measurement)))
        _ = prompts.issue(
            step.kind == .parking ? "请松开驻车制动" : "请松开制动踏板", step.kind == .parking ? "Release the parking brake" : "Release the brake pedal",
            at: time, into: &actions)
        phase = .releasing
        deadline = time + configuration.releaseTimeout
    }

    mutating func nextRun(at time: MonotonicInstant, into actions: inout [ProcedureAction]) {
        if runIndex + 1 < plan.count {
            startRun(runIndex + 1, at: time, into: &actions)
        } else {
            runIndex = plan.count
            phase = .finished
            deadline = MonotonicInstant(nanoseconds: .max)
            actions.append(.finished(.brake))
        }
    }

    mutating func timedOut(at time: MonotonicInstant, into actions: inout [ProcedureAction]) {
        if phase == .releasing {
            // The run is measured; make sure the rollers are told to stop, then go on.
            stopRollers(into: &actions)
            nextRun(at: time, into: &actions)
            return
        }
        let what: (String, String) =
            switch phase {
            case .awaitingAxle: ("车辆未到位", "the axle did not arrive")
            case .weighing: ("轴荷称重不稳定", "the axle load did not settle")
            case .spinningUp: ("滚筒未达到检测转速", "the rollers did not reach test speed")
            case .drag: ("阻滞力测量时未松开制动", "the pedal was not released for the drag measurement")
            default: ("未检测到制动力", "no braking (or no release) within the time allowed")
            }
        abort(zh: "超时：" + what.0, en: "timed out: " + what.1, at: time, into: &actions)
    }

    /// Aborts the run safely: rollers stopped, the driver asked to repeat.
    mutating func abort(zh: String, en: String, at time: MonotonicInstant, into actions: inout [ProcedureAction]) {
        if rollersCommanded || phase == .spinningUp || phase == .drag || phase == .braking { stopRollers(into: &actions) }
        let step = currentStep
        let prompt = prompts.issue(
            "\(step)检测中止：\(zh)。请处理后确认重新检测", "\(step) aborted: \(en). Put it right and confirm to repeat",
            expects: .confirm, at: time, into: &actions)
        actions.append(
            .aborted(
                StepAbort(
                    station: .brake, rig: rig, step: step, reason: LocalizedText(zh: zh, en: en), time: time,
                    repeatPrompt: prompt)))
        phase = .awaitingRepeat
        deadline = MonotonicInstant(nanoseconds: .max)
        nonGood = 0
    }
}
