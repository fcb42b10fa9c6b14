import LaneCore

/// The dynamometer channels and the NO channel the ASM test needs, resolved to indices once.
struct ASMChannels: Sendable {
    let no, speed, load: Int

    init(map: RegisterMap, rig: RigID) throws(ProcedureSetupError) {
        no = try map.requireChannel("no_ppm", rig: rig)
        speed = try map.requireChannel("dyno_speed_kmh", rig: rig)
        load = try map.requireChannel("dyno_load_kw", rig: rig)
        try map.requireCommand(ASMChannels.setpoint, rig: rig)
    }

    /// The holding register the procedure writes the dynamometer's absorbed power to, kW.
    static let setpoint = "dyno_load_setpoint_kw"
}

/// Sums over one ASM sampling window, and when the vehicle left the windows.
struct ASMWindow: Sendable {
    var start: MonotonicInstant?
    var co = 0.0, hc = 0.0, no = 0.0, speed = 0.0, load = 0.0, count = 0
    /// First sample of the current excursion outside the speed/load windows, if any.
    var outsideSince: MonotonicInstant?

    mutating func add(_ v: [Double], _ gas: EmissionChannels, _ dyno: ASMChannels) {
        co += v[gas.co]
        hc += v[gas.hc]
        no += v[dyno.no]
        speed += v[dyno.speed]
        load += v[dyno.load]
        count += 1
    }
}

extension EmissionProcedure {
    /// Opens ASM mode `index`: writes its load to the dynamometer and asks the driver for its speed.
    mutating func startASMMode(_ index: Int, at time: MonotonicInstant, into actions: inout [ProcedureAction]) {
        guard let asm = configuration.asm else { return }
        let mode = asm.modes[index]
        asmMode = index
        command(ASMChannels.setpoint, mode.loadKW, into: &actions)
        let speed = ASMMode.format(mode.speedKmh)
        _ = prompts.issue(
            "ASM\(mode.name)工况：请加速至\(speed) km/h并保持稳定（测功机加载 \(ASMMode.format(mode.loadKW)) kW）",
            "ASM\(mode.name): drive at \(speed) km/h and hold it steady (the dynamometer absorbs \(ASMMode.format(mode.loadKW)) kW)",
            at: time, into: &actions)
        enter(.asmStabilise, at: time, timeout: asm.modeTimeout)
        asmWindow = ASMWindow()
    }

    /// Stabilise inside the mode's speed and load windows, then average the gases over the
    /// sampling window; leaving the windows while stabilising starts the stabilisation over,
    /// staying out longer than `outOfWindowLimit` while sampling aborts the test.
    mutating func asmStep(_ v: [Double], at time: MonotonicInstant, into actions: inout [ProcedureAction]) {
        guard let asm = configuration.asm, let dyno = asmChannels else { return }
        let mode = asm.modes[asmMode]
        let speed = v[dyno.speed]
        let load = v[dyno.load]
        let inside = mode.contains(speedKmh: speed, loadKW: load)
        if phase == .asmStabilise {
            guard inside else {
                asmWindow = ASMWindow()
                return
            }
            if asmWindow.start == nil { asmWindow.start = time }
            if let start = asmWindow.start, time.since(start) >= asm.stabilise {
                phase = .asmMeasure
                asmWindow = ASMWindow()
                asmWindow.start = time
                asmWindow.add(v, channels, dyno)
            }
            return
        }
        if inside {
            asmWindow.outsideSince = nil
            asmWindow.add(v, channels, dyno)
        } else {
            let since = asmWindow.outsideSince ?? time
            asmWindow.outsideSince = since
            if time.since(since) > asm.outOfWindowLimit {
                let window = mode.windowText
                abort(
                    zh: "ASM\(mode.name)取样期间车速 \(ASMMode.format(speed)) km/h、负荷 \(ASMMode.format(load)) kW 超出允许范围（\(window.zh)）超过 \(asm.outOfWindowLimit.secondsText) 秒",
                    en: "during ASM\(mode.name) sampling the speed \(ASMMode.format(speed)) km/h / load \(ASMMode.format(load)) kW left the window (\(window.en)) for more than \(asm.outOfWindowLimit.secondsText) s",
                    at: time, into: &actions)
                return
            }
        }
        guard let start = asmWindow.start, time.since(start) >= asm.measureWindow, asmWindow.count > 0 else { return }
        let n = Double(asmWindow.count)
        let prefix = "asm" + mode.name
        figures[prefix + "_co_pct"] = asmWindow.co / n
        figures[prefix + "_hc_ppm"] = asmWindow.hc / n
        figures[prefix + "_no_ppm"] = asmWindow.no / n
        figures[prefix + "_speed_kmh"] = asmWindow.speed / n
        figures[prefix + "_load_kw"] = asmWindow.load / n
        if asmMode + 1 < asm.modes.count {
            startASMMode(asmMode + 1, at: time, into: &actions)
        } else {
            unloadDynamometer(into: &actions)
            complete(figures: figures, opacity: [], purges: [], at: time, into: &actions)
        }
    }

    /// Sets the dynamometer's load back to 0 once the ASM test ends, is aborted or cancelled.
    mutating func unloadDynamometer(into actions: inout [ProcedureAction]) {
        guard asmChannels != nil, dynamometerLoaded else { return }
        command(ASMChannels.setpoint, 0, into: &actions)
    }
}

extension ASMMode {
    /// A figure for prompts: at most two decimals, no trailing zeros.
    static func format(_ value: Double) -> String {
        let hundredths = (value * 100).rounded()
        if hundredths.truncatingRemainder(dividingBy: 100) == 0 { return String(Int(hundredths / 100)) }
        if hundredths.truncatingRemainder(dividingBy: 10) == 0 { return String(Double(Int(hundredths / 10)) / 10) }
        return String(Double(Int(hundredths)) / 100)
    }

    /// The speed and load windows, for messages.
    var windowText: (zh: String, en: String) {
        let speed = "\(Self.format(speedKmh)) ± \(Self.format(speedToleranceKmh)) km/h"
        let load = "\(Self.format(loadKW)) kW ± \(Self.format(loadTolerancePercent)) %"
        return (zh: "\(speed)，\(load)", en: "\(speed), \(load)")
    }
}

extension Duration {
    /// Whole or fractional seconds for messages ("2", "2.5").
    var secondsText: String {
        let (seconds, attoseconds) = components
        return attoseconds == 0 ? String(seconds) : String(Double(seconds) + Double(attoseconds) / 1e18)
    }
}
