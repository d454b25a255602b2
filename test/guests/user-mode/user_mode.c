/*
 * user-mode: sets up ring-3 segments, a TSS and an INT 0x80 gate (runtime/ring3.c), drops to
 * CPL 3 with IRETQ to run user_task, and comes back to ring 0 through INT 0x80 (not SYSRET).
 * Prints the privilege level it came back from and the checksum ring 3 computed; exits 0.
 */
#include "ring3.h"
#include "runtime.h"
#include "user_task.h"

int main(const void *start_info)
{
	uint64_t checksum;

	(void)start_info;
	ring3_setup();
	puts("user-mode: entering ring 3");
	checksum = run_in_ring3(user_task);
	print("user-mode: back in ring 0 via int 0x80 from cpl ");
	print_dec(ring3_return_cs & 3);
	print(", checksum ");
	print_hex(checksum);
	putchar('\n');
	return 0;
}
