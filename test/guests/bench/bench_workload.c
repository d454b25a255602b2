/*
 * CPU-bound integer workload for the bench guest: each round fills an array from a xorshift
 * generator, insertion-sorts it, binary-searches it and folds it into an FNV-1a hash. It mixes
 * loops, multiplications, divisions, loads, stores and calls; the result is deterministic.
 */
#include "bench_workload.h"

/*
 * Every function starts on a 64-byte boundary, so its loops sit at the same offsets from a
 * 64-byte line wherever a link places this file's code. On the AMD EPYC hosts the benchmarks run
 * on, the placement of the same code alone changed this workload's time by up to 20%, which is
 * more than the guest-versus-native difference being measured.
 */
#define WORKLOAD_FUNCTION __attribute__((noinline, aligned(64)))

#define ARRAY_LENGTH 64

static uint32_t array[ARRAY_LENGTH];

static WORKLOAD_FUNCTION uint32_t xorshift32(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

static WORKLOAD_FUNCTION void fill(uint32_t seed)
{
	uint32_t state = seed | 1;

	for (int i = 0; i < ARRAY_LENGTH; i++)
		array[i] = xorshift32(&state) % 100000u;
}

static WORKLOAD_FUNCTION void insertion_sort(void)
{
	for (int i = 1; i < ARRAY_LENGTH; i++) {
		uint32_t value = array[i];
		int j = i - 1;

		while (j >= 0 && array[j] > value) {
			array[j + 1] = array[j];
			j--;
		}
		array[j + 1] = value;
	}
}

static WORKLOAD_FUNCTION int binary_search(uint32_t key)
{
	int low = 0, high = ARRAY_LENGTH - 1;

	while (low <= high) {
		int middle = (low + high) / 2;

		if (array[middle] == key)
			return middle;
		if (array[middle] < key)
			low = middle + 1;
		else
			high = middle - 1;
	}
	return -1;
}

static WORKLOAD_FUNCTION uint64_t fnv1a(uint64_t hash)
{
	for (int i = 0; i < ARRAY_LENGTH; i++) {
		uint32_t value = array[i];

		for (int byte = 0; byte < 4; byte++) {
			hash ^= (value >> (8 * byte)) & 0xff;
			hash *= 0x100000001b3ull;
		}
	}
	return hash;
}

WORKLOAD_FUNCTION uint64_t bench_run(uint64_t iterations)
{
	uint64_t checksum = 0xcbf29ce484222325ull;

	for (uint64_t round = 0; round < iterations; round++) {
		fill((uint32_t)(round * 2654435761u));
		insertion_sort();
		checksum = fnv1a(checksum);
		checksum += (uint64_t)(binary_search(array[round % ARRAY_LENGTH]) + 1) * (round / 3 + 7);
		checksum ^= checksum / (round % 13 + 1);
	}
	return checksum;
}
