/*
 * IDT set-up and the C side of exception handling (see traps.h). Every exception prints
 * "trap: vector N (#XX)" on the serial port. Traps (#DB, #BP, #OF) continue after the
 * instruction; faults continue at the registered resume point, or end the run if there is none.
 */
#include "runtime.h"
#include "traps.h"
#include "boot_defs.h"

/* 64-bit IDT gate descriptor (SDM 3A 6.14.1, figure 6-8). */
struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attributes;
	uint16_t offset_middle;
	uint32_t offset_high;
	uint32_t reserved;
};

#define IDT_ENTRIES 256
#define GATE_PRESENT 0x80
#define GATE_TYPE_INTERRUPT 0x0e

static struct idt_gate idt[IDT_ENTRIES] __attribute__((aligned(16)));
volatile uint64_t trap_resume_rip;
extern void (*const trap_entry_table[32])(void);

/* Mnemonics of the architectural exception vectors (SDM 3A 6.3.1, table 6-1). */
static const char *const vector_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS", "#NP",
	"#SS", "#GP", "#PF", "reserved", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
	"reserved", "reserved", "reserved", "reserved", "reserved", "reserved", "#HV", "#VC",
	"#SX", "reserved",
};

void idt_set_gate(unsigned vector, void (*entry)(void), unsigned dpl)
{
	uint64_t offset = (uint64_t)entry;
	struct idt_gate *gate = &idt[vector & 0xff];

	gate->offset_low = (uint16_t)offset;
	gate->selector = BOOT_CS;
	gate->ist = 0;
	gate->type_attributes = (uint8_t)(GATE_PRESENT | ((dpl & 3) << 5) | GATE_TYPE_INTERRUPT);
	gate->offset_middle = (uint16_t)(offset >> 16);
	gate->offset_high = (uint32_t)(offset >> 32);
	gate->reserved = 0;
}

void traps_install(void)
{
	struct descriptor_table_register idtr = {
		.limit = sizeof(idt) - 1,
		.base = (uint64_t)idt,
	};

	for (unsigned vector = 0; vector < 32; vector++)
		idt_set_gate(vector, trap_entry_table[vector], 0);
	lidt(&idtr);
}

/* Trap-class exceptions report the address of the next instruction (SDM 3A 6.5). */
static int is_trap_class(uint64_t vector)
{
	return vector == 1 || vector == 3 || vector == 4;
}

void trap_dispatch(struct trap_frame *frame);

void trap_dispatch(struct trap_frame *frame)
{
	print("trap: vector ");
	print_dec(frame->vector);
	print(" (");
	print(vector_names[frame->vector & 31]);
	puts(")");

	if (is_trap_class(frame->vector))
		return;
	if (trap_resume_rip != 0) {
		frame->rip = trap_resume_rip;
		trap_resume_rip = 0;
		return;
	}
	print("trap: no resume point for the fault at rip ");
	print_hex(frame->rip);
	print(", error code ");
	print_hex(frame->error_code);
	puts("; stopping");
	guest_exit(TRAP_UNRECOVERABLE_EXIT_CODE);
}
