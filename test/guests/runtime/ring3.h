/*
 * Running guest code at CPL 3: ring3_setup() installs a GDT with ring-3 code/data segments and a
 * 64-bit TSS, and an INT 0x80 gate callable from ring 3; run_in_ring3() IRETQs to a function at
 * CPL 3 and returns the value that function hands back with ring3_return() (INT 0x80, never
 * SYSRET, which some hypervisors do not emulate).
 */
#ifndef GUEST_RING3_H
#define GUEST_RING3_H

/* Selectors of the ring-3 capable GDT (ring3.c). */
#define KERNEL_CS	0x08
#define KERNEL_DS	0x10
#define USER_CS		(0x18 | 3)
#define USER_DS		(0x20 | 3)
#define TSS_SELECTOR	0x28
#define RING3_RETURN_VECTOR 0x80

#ifndef __ASSEMBLER__
#include <stdint.h>

#define RING3_STACK_SIZE 16384

/* Loads the GDT, TSS and IDT gate; calls traps_install() first. */
void ring3_setup(void);

/* Runs entry() at CPL 3 on a stack of its own; returns the value passed to ring3_return. */
uint64_t run_in_ring3(void (*entry)(void));

/* CS of the code that executed INT 0x80 last, recorded by the gate. */
extern uint64_t ring3_return_cs;

/* Ends the ring-3 function: INT 0x80 with `value` in RAX. */
__attribute__((noreturn)) static inline void ring3_return(uint64_t value)
{
	__asm__ volatile("int $0x80" : : "a"(value) : "memory");
	__builtin_unreachable();
}

/* Implemented in ring3_switch.S. */
uint64_t ring3_enter(void (*entry)(void), void *stack_top);
void ring3_return_gate(void);
#endif

#endif
