/*
 * bench-user: the bench workload run at CPL 3 (entered with IRETQ, left with INT 0x80), for
 * hypervisors that execute ring-3 code natively but emulate ring 0. Prints the same checksum
 * as the bench guest for the same ITERATIONS. Built with -DRING3_EXIT_UD2 it is bench-user-ud2,
 * which leaves ring 3 with UD2 (ring3.h), for PVM.
 */
#include "bench_workload.h"
#include "ring3.h"
#include "runtime.h"

#ifdef RING3_EXIT_UD2
#define GUEST_NAME "bench-user-ud2"
#else
#define GUEST_NAME "bench-user"
#endif

#ifndef ITERATIONS
#define ITERATIONS 250000
#endif

static void bench_task(void)
{
	ring3_return(bench_run(ITERATIONS));
}

int main(const void *start_info)
{
	uint64_t checksum;

	(void)start_info;
	ring3_setup();
	checksum = run_in_ring3(bench_task);
	print(GUEST_NAME ": iterations=");
	print_dec(ITERATIONS);
	print(" checksum=");
	print_hex(checksum);
	putchar('\n');
	return 0;
}
