/*
 * user-mode-ud2: the user-mode guest's ring-3 loop of stores to user_data_page (a page of its own,
 * the one to watch), entered with IRETQ and left with UD2 instead of INT 0x80 (see ud2_ring3.h),
 * for hypervisors that run ring 3 natively but deliver no INT n from it (PVM).
 */
#include "runtime.h"
#include "ud2_ring3.h"

#define USER_ROUNDS 64

uint8_t user_data_page[4096] OWN_PAGE_DATA;

static void user_task(void)
{
	volatile uint8_t *page = user_data_page;
	uint64_t checksum = 0;

	for (int round = 0; round < USER_ROUNDS; round++) {
		for (int offset = 0; offset < 4096; offset += 64)
			page[offset] = (uint8_t)(round + offset / 64);
	}
	for (int offset = 0; offset < 4096; offset += 64)
		checksum = checksum * 31 + page[offset];
	ud2_ring3_return(checksum);
}

int main(const void *start_info)
{
	uint64_t checksum;

	(void)start_info;
	ud2_ring3_setup();
	puts("user-mode-ud2: entering ring 3");
	checksum = ud2_run_in_ring3(user_task);
	print("user-mode-ud2: back in ring 0 via ud2 from cpl ");
	print_dec(ud2_ring3_return_cs & 3);
	print(", checksum ");
	print_hex(checksum);
	putchar('\n');
	return 0;
}
