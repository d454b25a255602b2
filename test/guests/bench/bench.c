/*
 * bench: runs bench_workload for ITERATIONS rounds (a compile-time parameter, -DITERATIONS=N)
 * and prints the checksum, so engines can be timed on identical, verifiable work.
 */
#include "runtime.h"
#include "bench_workload.h"

#ifndef ITERATIONS
#define ITERATIONS 250000
#endif

int main(const void *start_info)
{
	(void)start_info;
	print("bench: iterations=");
	print_dec(ITERATIONS);
	print(" checksum=");
	print_hex(bench_run(ITERATIONS));
	putchar('\n');
	return 0;
}
