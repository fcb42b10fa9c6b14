import Foundation
import LaneCore
import Modbus

/// Decides whether `lanectl demo` / `lanectl run` give their poll threads (and the demo's simulated rigs) the
/// `SCHED_FIFO` priorities the profile asks for (`realtime_priority`), and prepares the safety net.
///
/// Real-time only when the profile asks for it, `--no-realtime` was not given and the process may have it (checked
/// once on a short-lived thread). Otherwise the station runs under normal scheduling, with one warning when the
/// profile asked and the kernel refused. When granted: the runaway guard (`RLIMIT_RTTIME` 500 ms, a `SIGXCPU`
/// handler that demotes the thread) is installed and a warning is printed if Linux's RT throttling is off.
/// See docs/modbus.md.
/// - Returns: true when the station's threads may ask for their priorities.
func prepareRealTime(profile: LaneProfile, enabled: Bool) -> Bool {
    let priorities = profile.rigs.compactMap(\.realtimePriority).filter { $0 > 0 }
    guard let highest = priorities.max(), let lowest = priorities.min() else { return false }
    guard enabled else {
        printNow("Real-time scheduling off (--no-realtime): normal scheduling for every thread / 未启用实时调度")
        return false
    }
    // The demo's simulated rigs ask for one above the highest poll priority.
    if let reason = RealTime.probe(priority: min(highest + 1, 99)) {
        FileHandle.standardError.write(Data("""
            warning: the profile asks for SCHED_FIFO (realtime_priority \(lowest)…\(highest)) but this process may not \
            have it (\(reason)); polling under normal scheduling, so 100 Hz samples may be late on a busy machine.
            警告：配置要求实时调度 (SCHED_FIFO)，但本进程无此权限（请以 root 运行或授予 CAP_SYS_NICE）；将以普通调度轮询，繁忙时 100 Hz 采样可能迟到。

            """.utf8))
        return false
    }
    let throttling = RealTime.throttling
    if let throttling, throttling.runtimeMicroseconds == nil {
        FileHandle.standardError.write(Data("""
            warning: Linux RT throttling is off (/proc/sys/kernel/sched_rt_runtime_us = -1): a real-time thread that \
            spun could hold a core; the runaway guard (RLIMIT_RTTIME) still demotes it.
            警告：内核实时限流已关闭 (sched_rt_runtime_us = -1)。

            """.utf8))
    }
    let guardProblem = RealTime.installRunawayGuard(limit: .milliseconds(500))
    if let guardProblem {
        FileHandle.standardError.write(Data("warning: runaway guard not installed: \(guardProblem)\n".utf8))
    }
    printNow(
        "Real-time: SCHED_FIFO \(lowest == highest ? "\(lowest)" : "\(lowest)…\(highest)") for poll threads; "
            + "RT throttling \(throttling?.description ?? "unknown"); "
            + (guardProblem == nil ? "a real-time thread running 500 ms without blocking is demoted" : "no runaway guard")
            + " / 已启用实时调度")
    return true
}
