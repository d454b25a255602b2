/*
 * Architectural constants used by the boot stub and the runtime, shared between assembly (.S)
 * and C. Values come from the Intel SDM Vol. 3A (chapters 2, 4 and 5) and the Xen PVH ABI.
 */
#ifndef GUEST_BOOT_DEFS_H
#define GUEST_BOOT_DEFS_H

#define XEN_ELFNOTE_PHYS32_ENTRY 18

/* Page-table entry bits (SDM 3A 4.5, tables 4-15 to 4-20). */
#define PTE_PRESENT	0x001
#define PTE_WRITABLE	0x002
#define PTE_USER	0x004
#define PTE_LARGE	0x080

/* CR0 bits (SDM 3A 2.5). */
#define CR0_PE		0x00000001
#define CR0_MP		0x00000002
#define CR0_EM		0x00000004
#define CR0_TS		0x00000008
#define CR0_NE		0x00000020
#define CR0_WP		0x00010000
#define CR0_PG		0x80000000

/* CR4 bits (SDM 3A 2.5). */
#define CR4_PAE		0x00000020
#define CR4_OSFXSR	0x00000200
#define CR4_OSXMMEXCPT	0x00000400
#define CR4_OSXSAVE	0x00040000

/* IA32_EFER (SDM 3A 2.2.1). */
#define MSR_EFER	0xc0000080
#define EFER_LME	0x00000100
#define EFER_NXE	0x00000800
#define CPUID_80000001_EDX_NX 0x00100000

/* Selectors of the boot GDT. */
#define BOOT_CS		0x08
#define BOOT_DS		0x10

#define BOOT_STACK_SIZE	16384

#endif
