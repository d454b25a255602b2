/*
 * user-mode: sets up ring-3 segments, a TSS and an INT 0x80 gate (runtime/ring3.c), drops to
 * CPL 3 with IRETQ to run user_task, and comes back to ring 0 through INT 0x80 (not SYSRET).
 * Prints the privilege level it came back from and the checksum ring 3 computed; exits 0.
 * Built with -DRING3_EXIT_UD2 it is user-mode-ud2, which leaves ring 3 with UD2 (ring3.h).
 */
#include "ring3.h"
#include "runtime.h"
#include "user_task.h"

#ifdef RING3_EXIT_UD2
#define GUEST_NAME "user-mode-ud2"
#else
#define GUEST_NAME "user-mode"
#endif

int main(const void *start_info)
{
	uint64_t checksum;

	(void)start_info;
	ring3_setup();
	puts(GUEST_NAME ": entering ring 3");
	checksum = run_in_ring3(user_task);
	print(GUEST_NAME ": back in ring 0 via " RING3_EXIT_NAME " from cpl ");
	print_dec(ring3_return_cs & 3);
	print(", checksum ");
	print_hex(checksum);
	putchar('\n');
	return 0;
}
