import LaneCore

extension EmissionProcedure {
    mutating func step(_ v: [Double], at time: MonotonicInstant, into actions: inout [ProcedureAction]) {
        let ch = channels
        let rpm = v[ch.rpm]
        switch phase {
        case .warmingUp:
            if v[ch.warmingUp] < 0.5 {
                command("zero", 1, into: &actions)
                enter(.zeroing, at: time, timeout: configuration.checkTimeout)
            } else if !promptedWait {
                promptedWait = true
                _ = prompts.issue("分析仪预热中，请稍候", "The analyser is warming up; please wait", at: time, into: &actions)
            }
        case .zeroing:
            if v[ch.zeroing] >= 0.5 {
                sawBusy = true
            } else if sawBusy, v[ch.zeroDone] >= 0.5 {
                command("leak_check", 1, into: &actions)
                enter(.leakCheck, at: time, timeout: configuration.checkTimeout)
            } else if UInt16(truncatingIfNeeded: Int(v[ch.faultWord])) & 0b101 != 0, !sawBusy {
                abort(zh: "分析仪拒绝调零", en: "the analyser refused to zero", at: time, into: &actions)
            }
        case .leakCheck:
            if v[ch.leakChecking] >= 0.5 {
                sawBusy = true
            } else if sawBusy, v[ch.leakFailed] >= 0.5 {
                abort(zh: "泄漏检查未通过，请检查取样管", en: "the leak check failed; check the probe hose", at: time, into: &actions)
            } else if sawBusy, v[ch.leakPassed] >= 0.5 {
                enter(.oilCheck, at: time, timeout: configuration.oilTimeout)
            }
        case .oilCheck:
            if v[ch.oil] >= configuration.oilMinimumC {
                oilAtStart = v[ch.oil]
                _ = prompts.issue(
                    "请将取样探头插入排气管，完成后确认", "Insert the sampling probe into the tailpipe and confirm",
                    expects: .confirm, at: time, into: &actions)
                enter(.awaitingProbe, at: time, timeout: configuration.driverTimeout)
            } else if !promptedWait {
                promptedWait = true
                _ = prompts.issue(
                    "机油温度低于\(Int(configuration.oilMinimumC))°C，请预热发动机", "Oil below \(Int(configuration.oilMinimumC)) °C: warm the engine up",
                    at: time, into: &actions)
            }
        case .highIdleStabilise, .highIdleMeasure:
            holdSpeed(
                v, inWindow: abs(rpm - configuration.highIdleRPM) <= configuration.highIdleToleranceRPM, at: time,
                into: &actions)
        case .asmStabilise, .asmMeasure:
            asmStep(v, at: time, into: &actions)
        case .idleStabilise, .idleMeasure:
            holdSpeed(v, inWindow: rpm <= configuration.idleMaximumRPM && rpm > 200, at: time, into: &actions)
        case .idleBaseline:
            if rpm <= configuration.idleMaximumRPM, rpm > 200 {
                if window.start == nil { window.start = time }
                window.add(v, ch)
                if time.since(window.start!) >= .seconds(2) {
                    idleRPM = window.rpm / Double(window.count)
                    askForAcceleration(at: time, into: &actions)
                }
            } else {
                window = Window()
            }
        case .awaitingAcceleration:
            if rpm >= idleRPM * configuration.accelerationStartFactor {
                peak = v[ch.opacity]
                phase = .accelerating
            }
        case .accelerating:
            peak = max(peak, v[ch.opacity])
            if rpm <= idleRPM * configuration.accelerationEndFactor {
                peaks.append(peak)
                if peaks.count < totalAccelerations {
                    askForAcceleration(at: time, into: &actions)
                } else {
                    let purges = Array(peaks.prefix(configuration.purgeAccelerations))
                    let measured = Array(peaks.dropFirst(configuration.purgeAccelerations))
                    complete(figures: [:], opacity: measured, purges: purges, at: time, into: &actions)
                }
            }
        case .notStarted, .awaitingProbe, .awaitingRepeat, .finished:
            break
        }
    }

    /// Stabilise then average while the engine speed stays in its window; leaving it starts over.
    mutating func holdSpeed(_ v: [Double], inWindow: Bool, at time: MonotonicInstant, into actions: inout [ProcedureAction]) {
        let measuring = phase == .highIdleMeasure || phase == .idleMeasure
        guard inWindow else {
            if measuring { phase = phase == .highIdleMeasure ? .highIdleStabilise : .idleStabilise }
            window = Window()
            return
        }
        if window.start == nil { window.start = time }
        if !measuring {
            if time.since(window.start!) >= configuration.stabilise {
                phase = phase == .highIdleStabilise ? .highIdleMeasure : .idleMeasure
                window = Window()
                window.start = time
                window.add(v, channels)
            }
            return
        }
        window.add(v, channels)
        guard time.since(window.start!) >= configuration.measureWindow else { return }
        let n = Double(window.count)
        if phase == .highIdleMeasure {
            figures["high_idle_co_pct"] = window.co / n
            figures["high_idle_hc_ppm"] = window.hc / n
            figures["high_idle_lambda"] = window.lambda / n
            figures["high_idle_rpm"] = window.rpm / n
            _ = prompts.issue("请松开油门，保持怠速", "Release the throttle and let the engine idle", at: time, into: &actions)
            enter(.idleStabilise, at: time, timeout: configuration.phaseTimeout)
        } else {
            figures["idle_co_pct"] = window.co / n
            figures["idle_hc_ppm"] = window.hc / n
            figures["idle_rpm"] = window.rpm / n
            complete(figures: figures, opacity: [], purges: [], at: time, into: &actions)
        }
    }

    mutating func askForAcceleration(at time: MonotonicInstant, into actions: inout [ProcedureAction]) {
        let n = peaks.count + 1
        let purge = n <= configuration.purgeAccelerations
        let label = purge ? "吹拂\(n)/\(configuration.purgeAccelerations)" : "测量\(n - configuration.purgeAccelerations)/\(configuration.measuredAccelerations)"
        let labelEn = purge ? "purge \(n) of \(configuration.purgeAccelerations)" : "measurement \(n - configuration.purgeAccelerations) of \(configuration.measuredAccelerations)"
        _ = prompts.issue(
            "自由加速（\(label)）：迅速将油门踩到底，保持至提示后松开", "Free acceleration (\(labelEn)): floor the throttle quickly, hold, release when told",
            at: time, into: &actions)
        phase = .awaitingAcceleration
        deadline = time + configuration.accelerationTimeout
    }

    mutating func complete(
        figures: [String: Double], opacity: [Double], purges: [Double], at time: MonotonicInstant,
        into actions: inout [ProcedureAction]
    ) {
        command("sampling", 0, into: &actions)
        actions.append(
            .measured(
                .emission(
                    EmissionMeasurement(
                        method: configuration.method, figures: figures, opacityReadings: opacity, purgeReadings: purges,
                        oilTemperatureC: oilAtStart, quality: quality, ended: time))))
        _ = prompts.issue("排放检测结束，请取出取样探头", "Emission test done: remove the probe", at: time, into: &actions)
        phase = .finished
        deadline = MonotonicInstant(nanoseconds: .max)
        actions.append(.finished(.emission))
    }

    mutating func abort(zh: String, en: String, at time: MonotonicInstant, into actions: inout [ProcedureAction]) {
        if samplingCommanded { command("sampling", 0, into: &actions) }
        unloadDynamometer(into: &actions)
        let prompt = prompts.issue(
            "排放检测中止：\(zh)。请处理后确认重新检测", "Emission test aborted: \(en). Put it right and confirm to repeat",
            expects: .confirm, at: time, into: &actions)
        actions.append(
            .aborted(
                StepAbort(
                    station: .emission, rig: rig, step: "emission \(configuration.method.rawValue)",
                    reason: LocalizedText(zh: zh, en: en), time: time, repeatPrompt: prompt)))
        phase = .awaitingRepeat
        deadline = MonotonicInstant(nanoseconds: .max)
        nonGood = 0
    }
}
