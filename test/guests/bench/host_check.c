/*
 * Host build of the bench workload: prints the checksum the bench guest must print for the
 * same ITERATIONS, giving the tests an oracle that does not come from running a guest.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_workload.h"

int main(int argc, char **argv)
{
	uint64_t iterations = argc > 1 ? strtoull(argv[1], NULL, 0) : 0;

	printf("bench: iterations=%" PRIu64 " checksum=0x%" PRIx64 "\n", iterations, bench_run(iterations));
	return 0;
}
