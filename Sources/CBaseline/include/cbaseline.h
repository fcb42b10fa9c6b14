#ifndef CBASELINE_H
#define CBASELINE_H
#include <stdint.h>
// Plain C loops that the benchmarks hold our Swift code to. Filled in by the Modbus benchmark.
int cbaseline_version(void);
#endif
