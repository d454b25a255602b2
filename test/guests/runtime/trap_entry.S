/*
 * Entry stubs for exception vectors 0-31. Each stub pushes an error code (0 when the CPU pushes
 * none), then its vector, saves the general registers as a struct trap_frame (traps.h), calls
 * trap_dispatch(frame) and returns with IRETQ. trap_entry_table lists the 32 stub addresses.
 * The stubs sit on a code page of their own (.page_text), apart from any code ring 3 runs, so a
 * hypervisor can keep the kernel's entry points away from ring-3 code it runs natively.
 */

	.section .page_text, "ax", @progbits
	.balign 4096
	.altmacro

.macro TRAP_STUB vector
	/* The CPU pushes an error code for vectors 8, 10-14, 17, 21, 29 and 30 (SDM 3A 6.13, table 6-1). */
	.globl trap_entry_\vector
trap_entry_\vector:
	.if !((\vector == 8) || ((\vector >= 10) && (\vector <= 14)) || (\vector == 17) || (\vector == 21) || (\vector == 29) || (\vector == 30))
	pushq	$0
	.endif
	pushq	$\vector
	jmp	trap_common
.endm

.set vector, 0
.rept 32
	TRAP_STUB %vector
	.set vector, vector + 1
.endr

trap_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	/* The CPU aligned RSP to 16 before its 5-word frame; 2 + 15 pushes keep RSP 16-aligned here. */
	mov	%rsp, %rdi
	cld
	call	trap_dispatch
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	add	$16, %rsp		/* vector and error code */
	iretq

.macro TRAP_TABLE_ENTRY vector
	.quad trap_entry_\vector
.endm

	.section .rodata
	.balign 8
	.globl trap_entry_table
trap_entry_table:
.set vector, 0
.rept 32
	TRAP_TABLE_ENTRY %vector
	.set vector, vector + 1
.endr

	.section .note.GNU-stack, "", @progbits
