/*
 * Ring transitions for the user-mode guest. enter_user_mode(entry, stack_top) saves the ring-0
 * context, then IRETQs to `entry` at CPL 3 (SDM 3A 6.14.3, "IRET in IA-32e Mode").
 * user_return_gate is the DPL-3 interrupt gate for INT 0x80: it records the interrupted CS and
 * resumes the saved ring-0 context, so enter_user_mode returns the RAX that ring 3 passed.
 */
#include "user_mode.h"

	.text
	.globl enter_user_mode
	.type enter_user_mode, @function
enter_user_mode:
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
	.size enter_user_mode, . - enter_user_mode

	.globl user_return_gate
	.type user_return_gate, @function
user_return_gate:
	/* On the TSS.RSP0 stack: RIP, CS, RFLAGS, RSP, SS pushed by the CPU. */
	mov	8(%rsp), %rcx
	mov	%rcx, user_return_cs(%rip)
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
	.size user_return_gate, . - user_return_gate

	.section .bss
	.balign 8
saved_kernel_rsp:
	.skip 8
	.globl user_return_cs
user_return_cs:
	.skip 8

	.section .note.GNU-stack, "", @progbits
