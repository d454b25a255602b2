/*
 * bench-user-ud2: the bench workload at CPL 3, entered with IRETQ and left with UD2 (see
 * ud2_ring3.h), for hypervisors that run ring 3 natively but deliver no INT n from it (PVM).
 * Prints the same checksum as the bench guest for the same ITERATIONS.
 */
#include "../bench/bench_workload.h"
#include "runtime.h"
#include "ud2_ring3.h"

#ifndef ITERATIONS
#define ITERATIONS 250000
#endif

static void bench_task(void)
{
	ud2_ring3_return(bench_run(ITERATIONS));
}

int main(const void *start_info)
{
	uint64_t checksum;

	(void)start_info;
	ud2_ring3_setup();
	checksum = ud2_run_in_ring3(bench_task);
	print("bench-user-ud2: iterations=");
	print_dec(ITERATIONS);
	print(" checksum=");
	print_hex(checksum);
	putchar('\n');
	return 0;
}
