#ifndef CBASELINE_H
#define CBASELINE_H
#include <stdint.h>

// Plain C loops that the benchmarks hold our Swift code to: same machine, same run, same server.

/// Version of this baseline library (bumped when a loop's method changes).
int cbaseline_version(void);

/// Connects to a Modbus TCP server and reads `count` holding registers from `address` of unit `unit`,
/// `iterations` times in a row, storing each call's latency (ns, CLOCK_MONOTONIC) in `latencies_ns`.
/// Returns the number of successful reads, or -1 (errno set) when the connection cannot be opened.
int cbaseline_modbus_read_loop(const char *host, int port, int unit, int address, int count, int iterations,
                               uint64_t *latencies_ns);

/// Wakes every `period_ns` on absolute deadlines (clock_nanosleep TIMER_ABSTIME, CLOCK_MONOTONIC) for
/// `iterations` cycles and stores each wake-up's lateness (ns after its deadline) in `errors_ns`.
/// With `want_realtime` it first asks for SCHED_FIFO at `rt_priority`; `*got_realtime` says whether it got it.
/// `stop_flag`, when not NULL, ends the loop early once it reads non-zero. Returns the cycles completed.
int cbaseline_periodic_loop(uint64_t period_ns, int iterations, int64_t *errors_ns, int want_realtime,
                            int rt_priority, int *got_realtime, volatile int *stop_flag);

#endif
