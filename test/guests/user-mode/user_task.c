/*
 * The code the user-mode guest runs at CPL 3: a loop of stores to `user_data_page` (a page of
 * its own, the one to watch), then a checksum handed back to ring 0 with ring3_return(). It uses
 * no I/O, so it runs natively where a hypervisor runs ring 3 natively.
 */
#include "ring3.h"
#include "runtime.h"
#include "user_task.h"

#ifndef USER_ROUNDS
#define USER_ROUNDS 64   /* rounds of stores over the page, one store per 64 bytes */
#endif

uint8_t user_data_page[4096] OWN_PAGE_DATA;

void user_task(void)
{
	volatile uint8_t *page = user_data_page;
	uint64_t checksum = 0;

	for (int round = 0; round < USER_ROUNDS; round++) {
		for (int offset = 0; offset < 4096; offset += 64)
			page[offset] = (uint8_t)(round + offset / 64);
	}
	for (int offset = 0; offset < 4096; offset += 64)
		checksum = checksum * 31 + page[offset];

	ring3_return(checksum);
}
