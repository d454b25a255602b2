/*
 * Set-up for ring-3 guests that leave ring 3 with UD2 (see ud2_ring3.h): the ring-3 GDT/TSS of the
 * runtime, the #UD gate, and a ring-3 stack of its own.
 */
#include "ring3.h"
#include "traps.h"
#include "ud2_ring3.h"

#define UD_VECTOR 6

static uint8_t ud2_ring3_stack[RING3_STACK_SIZE] __attribute__((aligned(16)));

void ud2_ring3_setup(void)
{
	ring3_setup();
	idt_set_gate(UD_VECTOR, ud2_ring3_gate, 0);
}

uint64_t ud2_run_in_ring3(void (*entry)(void))
{
	/* Enter as if called: RSP = 8 mod 16 at the first instruction (System V AMD64 ABI 3.2.2). */
	return ud2_ring3_enter(entry, &ud2_ring3_stack[RING3_STACK_SIZE - 8]);
}
