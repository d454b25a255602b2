/*
 * Ring transitions (see ring3.h). ring3_enter(entry, stack_top) saves the ring-0 context, then
 * IRETQs to `entry` at CPL 3 (SDM 3A 6.14.3, "IRET in IA-32e Mode"). ring3_return_gate is the
 * handler of INT 0x80 (or of #UD, which pushes no error code either, SDM 3A 6.15): it records the
 * interrupted CS and resumes the saved ring-0 context, so ring3_enter returns the RAX that ring 3
 * passed. The gate sits on a code page of its own (.page_text), so a hypervisor can keep that page
 * away from ring-3 code it runs natively and see the kernel entry before its first instruction.
 */
#include "ring3.h"

	.text
	.globl ring3_enter
	.type ring3_enter, @function
ring3_enter:
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	mov	%rsp, saved_kernel_rsp(%rip)
	pushq	$USER_DS		/* SS */
	pushq	%rsi			/* RSP */
	pushq	$0x2			/* RFLAGS: IF=0, IOPL=0 */
	pushq	$USER_CS		/* CS */
	pushq	%rdi			/* RIP */
	iretq
	.size ring3_enter, . - ring3_enter

	.section .page_text, "ax", @progbits
	.balign 4096
	.globl ring3_return_gate
	.type ring3_return_gate, @function
ring3_return_gate:
	/* On the TSS.RSP0 stack: RIP, CS, RFLAGS, RSP, SS pushed by the CPU. */
	mov	8(%rsp), %rcx
	mov	%rcx, ring3_return_cs(%rip)
	mov	$KERNEL_DS, %ecx
	mov	%ecx, %ds
	mov	%ecx, %es
	mov	%ecx, %ss
	mov	saved_kernel_rsp(%rip), %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	ret
	.size ring3_return_gate, . - ring3_return_gate

	.section .bss
	.balign 8
saved_kernel_rsp:
	.skip 8
	.globl ring3_return_cs
ring3_return_cs:
	.skip 8

	.section .note.GNU-stack, "", @progbits
