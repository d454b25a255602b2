/*
 * Ring-3 support (see ring3.h): a GDT with ring-0 and ring-3 code/data descriptors and a 64-bit
 * TSS whose RSP0 gives the stack used when ring 3 enters ring 0 (SDM 3A 7.7), plus the gate
 * ring 3 leaves through (DPL 3 for INT 0x80; an exception vector ignores the DPL).
 */
#include "ring3.h"
#include "runtime.h"
#include "traps.h"

/* 64-bit TSS (SDM 3A 7.7, figure 7-11). */
struct __attribute__((packed)) tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t io_map_base;
};

static struct tss64 tss;
static uint8_t ring0_interrupt_stack[RING3_STACK_SIZE] __attribute__((aligned(16)));
static uint8_t ring3_stack[RING3_STACK_SIZE] __attribute__((aligned(16)));

/* Code/data descriptors (SDM 3A 3.4.5): L=1 for 64-bit code, DPL in bits 45-46. */
static uint64_t gdt[7] __attribute__((aligned(16))) = {
	0,
	0x00af9a000000ffffull, /* 0x08 ring-0 code */
	0x00cf92000000ffffull, /* 0x10 ring-0 data */
	0x00affa000000ffffull, /* 0x18 ring-3 code */
	0x00cff2000000ffffull, /* 0x20 ring-3 data */
	0, 0,                  /* 0x28 TSS, 16 bytes, filled in by set_tss_descriptor */
};

/* 64-bit available-TSS descriptor (SDM 3A 7.2.3, figure 7-4): type 9, present, DPL 0. */
static void set_tss_descriptor(void)
{
	uint64_t base = (uint64_t)&tss;
	uint64_t limit = sizeof(tss) - 1;

	gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40)
		| (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[6] = base >> 32;
}

static void load_gdt_and_tss(void)
{
	struct descriptor_table_register gdtr = { .limit = sizeof(gdt) - 1, .base = (uint64_t)gdt };

	lgdt(&gdtr);
	/* Reload CS with a far return, then the data segments and the task register (LTR). */
	__asm__ volatile("pushq %0\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %1, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 "ltr %w2"
			 : : "i"(KERNEL_CS), "i"(KERNEL_DS), "r"((uint16_t)TSS_SELECTOR) : "rax", "memory");
}

void ring3_setup_gate(unsigned int vector)
{
	traps_install();
	tss.rsp[0] = (uint64_t)&ring0_interrupt_stack[RING3_STACK_SIZE];
	tss.io_map_base = sizeof(tss);
	set_tss_descriptor();
	load_gdt_and_tss();
	idt_set_gate(vector, ring3_return_gate, 3);
}

uint64_t run_in_ring3(void (*entry)(void))
{
	/* Enter as if called: RSP = 8 mod 16 at the first instruction (System V AMD64 ABI 3.2.2). */
	return ring3_enter(entry, &ring3_stack[RING3_STACK_SIZE - 8]);
}
