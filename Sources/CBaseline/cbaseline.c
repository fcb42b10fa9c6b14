#define _GNU_SOURCE
#include "cbaseline.h"

#include <errno.h>
#include <modbus.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>

int cbaseline_version(void) { return 2; }

static inline uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int cbaseline_modbus_read_loop(const char *host, int port, int unit, int address, int count, int iterations,
                               uint64_t *latencies_ns) {
    modbus_t *ctx = modbus_new_tcp(host, port);
    if (ctx == NULL) return -1;
    modbus_set_slave(ctx, unit);
    modbus_set_response_timeout(ctx, 1, 0);
    if (modbus_connect(ctx) == -1) {
        int saved = errno;
        modbus_free(ctx);
        errno = saved;
        return -1;
    }
    uint16_t registers[MODBUS_MAX_READ_REGISTERS];
    int ok = 0;
    for (int i = 0; i < iterations; i++) {
        uint64_t start = now_ns();
        int rc = modbus_read_registers(ctx, address, count, registers);
        uint64_t end = now_ns();
        if (rc == count) latencies_ns[ok++] = end - start;
    }
    modbus_close(ctx);
    modbus_free(ctx);
    return ok;
}

int cbaseline_periodic_loop(uint64_t period_ns, int iterations, int64_t *errors_ns, int want_realtime,
                            int rt_priority, int *got_realtime, volatile int *stop_flag) {
    if (got_realtime) *got_realtime = 0;
    if (want_realtime) {
        struct sched_param param = {.sched_priority = rt_priority};
        if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &param) == 0 && got_realtime) *got_realtime = 1;
    }
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    int done = 0;
    for (; done < iterations; done++) {
        if (stop_flag && *stop_flag) break;
        deadline.tv_nsec += (long)(period_ns % 1000000000ull);
        deadline.tv_sec += (time_t)(period_ns / 1000000000ull);
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_nsec -= 1000000000L;
            deadline.tv_sec += 1;
        }
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL) == EINTR) {}
        uint64_t woke = now_ns();
        uint64_t due = (uint64_t)deadline.tv_sec * 1000000000ull + (uint64_t)deadline.tv_nsec;
        errors_ns[done] = (int64_t)(woke - due);
    }
    return done;
}
