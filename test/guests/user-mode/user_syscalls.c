/*
 * user-syscalls: ring 3 makes USER_SYSCALLS system calls, each a UD2 with RAX = SYSCALL_MAGIC and
 * the argument in RDI, that the kernel's #UD handler (syscall_gate.S) counts, adds up and returns
 * from with IRETQ past the UD2. Ring 3 then leaves for good with a UD2 with any other RAX
 * (ring3.h). A UD2 is the one way into the kernel every engine delivers from ring 3 (ring3.h says
 * why), and each call is a complete kernel entry and return: the hybrid KVM engine runs the
 * handler in its software core and hands ring 3 back to KVM every time. Prints the count and the
 * sum; exits 0.
 */
#include "ring3.h"
#include "runtime.h"
#include "syscall_gate.h"
#include "traps.h"

#ifndef USER_SYSCALLS
#define USER_SYSCALLS 2000
#endif

static void user_syscalls(void)
{
	for (uint64_t i = 0; i < USER_SYSCALLS; i++)
		__asm__ volatile("ud2" : : "a"((uint64_t)SYSCALL_MAGIC), "D"(i * 7 + 1) : "memory");
	ring3_return(USER_SYSCALLS);
}

int main(const void *start_info)
{
	uint64_t made;

	(void)start_info;
	ring3_setup();
	idt_set_gate(RING3_RETURN_VECTOR, syscall_gate, 3);
	made = run_in_ring3(user_syscalls);
	print("user-syscalls: ");
	print_dec(made);
	print(" calls made, ");
	print_dec(syscall_count);
	print(" taken, sum ");
	print_dec(syscall_sum);
	putchar('\n');
	return 0;
}
