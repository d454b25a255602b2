/*
 * Ring transitions for ud2_ring3.h. ud2_ring3_enter(entry, stack_top) saves the ring-0
 * callee-saved registers and stack pointer, then IRETQs to `entry` at CPL 3 (SDM 3A 6.14.3).
 * ud2_ring3_gate is the #UD handler: on the TSS.RSP0 stack the CPU pushed RIP, CS, RFLAGS, RSP, SS
 * (no error code for #UD, SDM 3A 6.15); it records CS and resumes the saved ring-0 context, so
 * ud2_ring3_enter returns the RAX that ring 3 passed. The gate sits on a code page of its own
 * (.page_text), so a hypervisor can keep that page away from ring-3 code it runs natively and
 * see the kernel entry before its first instruction.
 */
#include "ring3.h"

	.text
	.globl ud2_ring3_enter
	.type ud2_ring3_enter, @function
ud2_ring3_enter:
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	mov	%rsp, ud2_saved_kernel_rsp(%rip)
	pushq	$USER_DS		/* SS */
	pushq	%rsi			/* RSP */
	pushq	$0x2			/* RFLAGS: IF=0, IOPL=0 */
	pushq	$USER_CS		/* CS */
	pushq	%rdi			/* RIP */
	iretq
	.size ud2_ring3_enter, . - ud2_ring3_enter

	.section .page_text, "ax", @progbits
	.balign 4096
	.globl ud2_ring3_gate
	.type ud2_ring3_gate, @function
ud2_ring3_gate:
	mov	8(%rsp), %rcx
	mov	%rcx, ud2_ring3_return_cs(%rip)
	mov	$KERNEL_DS, %ecx
	mov	%ecx, %ds
	mov	%ecx, %es
	mov	%ecx, %ss
	mov	ud2_saved_kernel_rsp(%rip), %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	ret
	.size ud2_ring3_gate, . - ud2_ring3_gate

	.section .bss
	.balign 8
ud2_saved_kernel_rsp:
	.skip 8
	.globl ud2_ring3_return_cs
ud2_ring3_return_cs:
	.skip 8

	.section .note.GNU-stack, "", @progbits
