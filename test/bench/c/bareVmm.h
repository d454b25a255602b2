/*
 * Helpers shared by the bare C VMMs the KVM benchmarks compare against (watchRoundTrip.c,
 * ring3Workload.c): fatal errors, a monotonic clock and the flat ring-3 segments.
 */
#ifndef BARE_VMM_H
#define BARE_VMM_H

#define _GNU_SOURCE
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Prints "PROGRAM: WHAT: strerror(errno)" and exits with status 1. */
static inline void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what, strerror(errno));
	exit(1);
}

static inline double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* A flat 64-bit segment at CPL 3 (SDM Vol. 3A 3.4.5): code (type 11, L) or data (type 3). */
static inline struct kvm_segment user_segment(int code)
{
	struct kvm_segment s = { .base = 0, .limit = 0xffffffff, .selector = code ? 0x1b : 0x23,
		.type = code ? 11 : 3, .present = 1, .dpl = 3, .db = code ? 0 : 1, .s = 1, .l = code ? 1 : 0, .g = 1 };
	return s;
}

#endif
