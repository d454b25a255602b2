/*
 * Leaving ring 3 with UD2 instead of INT 0x80, for hypervisors that run guest ring 3 natively but
 * do not deliver INT n from it: PVM turns INT 0x80 from ring 3 into #UD, and its SYSCALL jumps to
 * LSTAR without switching CS to ring 0. An exception is delivered through the IDT to ring 0 on
 * every engine (SDM 3A 6.12.1: exceptions ignore the gate's DPL). Entering ring 3 stays IRETQ.
 * ud2_ring3_setup() replaces the #UD gate, so a guest using it has no #UD reporting.
 */
#ifndef GUEST_UD2_RING3_H
#define GUEST_UD2_RING3_H

#include <stdint.h>

/* Calls ring3_setup(), then points the #UD gate (vector 6) at ud2_ring3_gate. */
void ud2_ring3_setup(void);

/* Runs entry() at CPL 3 on a stack of its own; returns the value passed to ud2_ring3_return. */
uint64_t ud2_run_in_ring3(void (*entry)(void));

/* CS of the code that executed UD2 last, recorded by the gate. */
extern uint64_t ud2_ring3_return_cs;

/* Ends the ring-3 function: UD2 with `value` in RAX. */
__attribute__((noreturn)) static inline void ud2_ring3_return(uint64_t value)
{
	__asm__ volatile("ud2" : : "a"(value) : "memory");
	__builtin_unreachable();
}

/* Implemented in ud2_switch.S. */
uint64_t ud2_ring3_enter(void (*entry)(void), void *stack_top);
void ud2_ring3_gate(void);
#endif
