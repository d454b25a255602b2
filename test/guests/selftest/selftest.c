/*
 * selftest: performs the guest actions of the KVMI selftest (kvmi_test.c) once each, in order,
 * printing "step N: <action>" before each so a tool can follow along: INT3, a CR4 write toggling
 * OSXSAVE, SGDT+LGDT, the agent hypercall, a write to MSR_MISC_FEATURES_ENABLES, a byte write to
 * `test_page` and an XSETBV that toggles SSE in XCR0. A minimal IDT reports and skips exceptions, so the run always ends.
 */
#include "runtime.h"
#include "traps.h"
#include "boot_defs.h"

#define MSR_MISC_FEATURES_ENABLES 0x140
#define TEST_WRITE_PATTERN 0xa5

uint8_t test_page[4096] OWN_PAGE_DATA;

static void step(int number, const char *action)
{
	print("step ");
	print_dec((uint64_t)number);
	print(": ");
	puts(action);
}

/* INT3 (SDM Vol. 2A "INT n/INTO/INT3/INT1"): #BP is a trap, the handler returns after it. */
static void do_int3(void)
{
	__asm__ volatile("int3" ::: "memory");
}

/* Writes CR4 with OSXSAVE (bit 18) flipped (SDM 3A 2.5). */
static void do_cr4_toggle_osxsave(void)
{
	uint64_t cr4 = read_cr4() ^ CR4_OSXSAVE;

	__asm__ volatile(TRAP_GUARDED("mov %0, %%cr4") : : "r"(cr4) : "memory");
}

/* Stores the GDTR and loads the same value back (SDM Vol. 2A "LGDT/LIDT", Vol. 2B "SGDT"). */
static void do_sgdt_lgdt(void)
{
	struct descriptor_table_register gdtr;

	sgdt(&gdtr);
	lgdt(&gdtr);
}

/* Reads MSR 0x140 and writes the value back (SDM Vol. 4, MSR_MISC_FEATURES_ENABLES). */
static void do_wrmsr_misc_features(void)
{
	uint32_t lo = 0, hi = 0;

	__asm__ volatile(TRAP_GUARDED("rdmsr") : "+a"(lo), "+d"(hi) : "c"(MSR_MISC_FEATURES_ENABLES));
	__asm__ volatile(TRAP_GUARDED("wrmsr") : : "c"(MSR_MISC_FEATURES_ENABLES), "a"(lo), "d"(hi) : "memory");
}

static void do_test_page_write(void)
{
	*(volatile uint8_t *)test_page = TEST_WRITE_PATTERN;
}

/*
 * Reads XCR0 and writes it back with the SSE component toggled, as the KVMI selftest toggles AVX, so
 * that XCR0 changes (SDM Vol. 2C "XSETBV"; x87 stays set); both #UD while CR4.OSXSAVE is clear.
 */
static void do_xsetbv(void)
{
	uint32_t lo = 0, hi = 0;

	__asm__ volatile(TRAP_GUARDED("xgetbv") : "+a"(lo), "+d"(hi) : "c"(0));
	lo ^= 2;
	__asm__ volatile(TRAP_GUARDED("xsetbv") : : "c"(0), "a"(lo), "d"(hi) : "memory");
}

int main(const void *start_info)
{
	(void)start_info;
	traps_install();
	puts("selftest: start");

	step(1, "int3");
	do_int3();
	step(2, "write cr4 (toggle osxsave)");
	do_cr4_toggle_osxsave();
	step(3, "sgdt + lgdt");
	do_sgdt_lgdt();
	step(4, "agent hypercall");
	kvmi_agent_hypercall();
	step(5, "wrmsr MSR_MISC_FEATURES_ENABLES");
	do_wrmsr_misc_features();
	step(6, "write test_page");
	do_test_page_write();
	print("selftest: test_page[0] = ");
	print_hex_byte(test_page[0]);
	putchar('\n');
	step(7, "xsetbv");
	do_xsetbv();

	puts("selftest: done");
	return 0;
}
