/*
 * Running guest code at CPL 3: ring3_setup() installs a GDT with ring-3 code/data segments and a
 * 64-bit TSS, and the gate ring 3 leaves through; run_in_ring3() IRETQs to a function at CPL 3 and
 * returns the value that function hands back with ring3_return(). Ring 3 leaves with INT 0x80 (a
 * DPL-3 interrupt gate), never SYSRET, which some hypervisors do not emulate; a guest built with
 * -DRING3_EXIT_UD2 leaves with UD2 through the #UD gate instead, for hypervisors that run ring 3
 * natively but deliver no INT n from it (PVM turns INT 0x80 from ring 3 into #UD, and its SYSCALL
 * keeps the ring-3 CS); an exception reaches ring 0 on every engine (SDM 3A 6.12.1: exceptions
 * ignore the gate's DPL). Such a guest has no #UD reporting.
 */
#ifndef GUEST_RING3_H
#define GUEST_RING3_H

/* Selectors of the ring-3 capable GDT (ring3.c). */
#define KERNEL_CS	0x08
#define KERNEL_DS	0x10
#define USER_CS		(0x18 | 3)
#define USER_DS		(0x20 | 3)
#define TSS_SELECTOR	0x28
#ifdef RING3_EXIT_UD2
#define RING3_RETURN_VECTOR 6		/* #UD */
#define RING3_EXIT_NAME "ud2"
#else
#define RING3_RETURN_VECTOR 0x80
#define RING3_EXIT_NAME "int 0x80"
#endif

#ifndef __ASSEMBLER__
#include <stdint.h>

#define RING3_STACK_SIZE 16384

/* Loads the GDT and TSS and points IDT vector `vector` at ring3_return_gate; calls traps_install() first. */
void ring3_setup_gate(unsigned int vector);

/* ring3_setup_gate() for the vector this guest leaves ring 3 through. */
static inline void ring3_setup(void)
{
	ring3_setup_gate(RING3_RETURN_VECTOR);
}

/* Runs entry() at CPL 3 on a stack of its own; returns the value passed to ring3_return. */
uint64_t run_in_ring3(void (*entry)(void));

/* CS of the code that left ring 3 last, recorded by the gate. */
extern uint64_t ring3_return_cs;

/* Ends the ring-3 function: INT 0x80 (or UD2) with `value` in RAX. */
__attribute__((noreturn)) static inline void ring3_return(uint64_t value)
{
#ifdef RING3_EXIT_UD2
	__asm__ volatile("ud2" : : "a"(value) : "memory");
#else
	__asm__ volatile("int $0x80" : : "a"(value) : "memory");
#endif
	__builtin_unreachable();
}

/* Implemented in ring3_switch.S. */
uint64_t ring3_enter(void (*entry)(void), void *stack_top);
void ring3_return_gate(void);
#endif

#endif
