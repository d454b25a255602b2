/*
 * The user-syscalls guest's #UD handler (see user_syscalls.c): with RAX = SYSCALL_MAGIC it is a
 * system call, which adds RDI to syscall_sum, counts itself and returns to the instruction after
 * the 2-byte UD2 with IRETQ (SDM 3A 6.14.3); #UD is a fault, so the saved RIP is the UD2's own
 * (SDM 3A 6.15). Any other UD2 is ring 3's way out (ring3_return_gate). On a code page of its own,
 * like ring3_return_gate, so that a hypervisor can keep it away from natively run ring-3 code.
 */
#include "ring3.h"
#include "syscall_gate.h"

	.section .page_text, "ax", @progbits
	.balign 4096
	.globl syscall_gate
	.type syscall_gate, @function
syscall_gate:
	cmpq	$SYSCALL_MAGIC, %rax
	jne	ring3_return_gate
	addq	%rdi, syscall_sum(%rip)
	incq	syscall_count(%rip)
	addq	$2, (%rsp)
	iretq
	.size syscall_gate, . - syscall_gate

	.section .bss
	.balign 8
	.globl syscall_count
syscall_count:
	.skip 8
	.globl syscall_sum
syscall_sum:
	.skip 8

	.section .note.GNU-stack, "", @progbits
