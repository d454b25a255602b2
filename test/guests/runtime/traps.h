/*
 * Minimal exception handling for guests that execute instructions which may fault (the selftest
 * actions, ring-3 code): a 256-entry IDT whose vectors 0-31 print the vector and either continue
 * (traps such as #BP) or resume at a point the faulting code registered beforehand.
 */
#ifndef GUEST_TRAPS_H
#define GUEST_TRAPS_H

#include <stdint.h>

/* Exit code used when an exception arrives with no resume point registered. */
#define TRAP_UNRECOVERABLE_EXIT_CODE 112

/* Register state saved by trap_entry.S, lowest address first (matches its push order). */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	/* Pushed by the CPU (SDM 3A 6.14.2, "64-Bit Mode Stack Frame"). */
	uint64_t rip, cs, rflags, rsp, ss;
};

/*
 * Where a faulting instruction continues, or 0. Use TRAP_GUARDED() rather than writing it: it
 * sets the resume point to just after one instruction and clears it again afterwards.
 */
extern volatile uint64_t trap_resume_rip;

/*
 * Wraps one instruction (a string for extended asm) so that a fault on it is reported and the
 * guest continues right after it. Only valid in extended asm (uses %%rip).
 */
#define TRAP_GUARDED(insn)                                  \
	"movq $8301f, trap_resume_rip(%%rip)\n\t"           \
	insn "\n"                                           \
	"8301:\n\t"                                         \
	"movq $0, trap_resume_rip(%%rip)\n\t"

/* Installs the IDT with handlers for vectors 0-31 (interrupt gates, ring 0 only). */
void traps_install(void);

/* Points IDT entry `vector` at `entry` as a 64-bit interrupt gate callable from ring `dpl`. */
void idt_set_gate(unsigned vector, void (*entry)(void), unsigned dpl);

#endif
