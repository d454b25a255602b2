/*
 * The bench guest's workload, kept free of I/O so the same file also builds as an ordinary host
 * program (host_check.c) whose checksum must equal the guest's.
 */
#ifndef BENCH_WORKLOAD_H
#define BENCH_WORKLOAD_H

#include <stdint.h>

/* Runs `iterations` rounds of fill, sort, search and hash over a small array; returns a checksum. */
uint64_t bench_run(uint64_t iterations);

#endif
