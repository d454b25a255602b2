/*
 * Entry of the flat guest image ring3Workload.c runs: bench_run(ITERATIONS) in ring 3, its result
 * left in RBX, then OUT to port 0x80 (a KVM_EXIT_IO that ends the run).
 */
	.text
	.globl _start
_start:
	mov	$ITERATIONS, %edi
	call	bench_run
	mov	%rax, %rbx
	out	%al, $0x80
1:	jmp	1b
