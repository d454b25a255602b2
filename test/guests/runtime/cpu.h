/*
 * Thin inline wrappers over single x86 instructions used by the guests: port I/O, CPUID,
 * RDMSR/WRMSR, control registers, XGETBV/XSETBV, descriptor tables and HLT. Each wrapper is one
 * instruction as described in the Intel SDM Vol. 2 instruction reference.
 */
#ifndef GUEST_CPU_H
#define GUEST_CPU_H

#include <stdint.h>

struct cpuid_result {
	uint32_t eax, ebx, ecx, edx;
};

/* Pseudo-descriptor stored by SGDT/SIDT and loaded by LGDT/LIDT in 64-bit mode (SDM 3A 3.5.1). */
struct __attribute__((packed)) descriptor_table_register {
	uint16_t limit;
	uint64_t base;
};

static inline void outb(uint16_t port, uint8_t value)
{
	__asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t value)
{
	__asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t value;
	__asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

static inline struct cpuid_result cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_result r;
	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t value)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)) : "memory");
}

#define DEFINE_CR_ACCESSORS(n)                                                        \
	static inline uint64_t read_cr##n(void)                                       \
	{                                                                             \
		uint64_t value;                                                       \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(value));                 \
		return value;                                                         \
	}                                                                             \
	static inline void write_cr##n(uint64_t value)                                \
	{                                                                             \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(value) : "memory");       \
	}

DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)

static inline uint64_t xgetbv(uint32_t xcr)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(xcr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void xsetbv(uint32_t xcr, uint64_t value)
{
	__asm__ volatile("xsetbv" : : "c"(xcr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
}

static inline void sgdt(struct descriptor_table_register *out)
{
	__asm__ volatile("sgdt %0" : "=m"(*out));
}

static inline void lgdt(const struct descriptor_table_register *in)
{
	__asm__ volatile("lgdt %0" : : "m"(*in) : "memory");
}

static inline void lidt(const struct descriptor_table_register *in)
{
	__asm__ volatile("lidt %0" : : "m"(*in) : "memory");
}

static inline void halt(void)
{
	__asm__ volatile("hlt");
}

#endif
