/*
 * The guests' tiny runtime: COM1 serial output, exit through the debug-exit port, KVM hypercalls
 * and the freestanding memory functions GCC may call. Guests include this header and define
 * `int main(const void *start_info)`; the boot stub calls main and exits with its result.
 */
#ifndef GUEST_RUNTIME_H
#define GUEST_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "cpu.h"

/* Places an object (4 KiB, 4 KiB aligned) on a page of its own, in the .page_data section. */
#define OWN_PAGE_DATA __attribute__((aligned(4096), section(".page_data")))
/* Places a function at the start of a page of its own, in the .page_text section. */
#define OWN_PAGE_TEXT __attribute__((aligned(4096), section(".page_text"), noipa))

/* Serial output on COM1 (port 0x3f8). Newlines are sent as a single '\n'. */
int putchar(int c);
int puts(const char *s);		/* writes s then '\n', like C's puts */
void print(const char *s);		/* writes s without a newline */
void print_hex(uint64_t value);		/* "0x" followed by lowercase digits, no leading zeros */
void print_dec(uint64_t value);
void print_hex_byte(uint8_t value);	/* exactly two lowercase hex digits, no prefix */

/*
 * Ends the run: writes `code` (32 bits) to the isa-debug-exit port 0xf4. QEMU then exits with
 * status (code << 1) | 1. Without such a device the vCPU halts forever with interrupts off.
 */
__attribute__((noreturn)) void guest_exit(uint32_t code);

/*
 * KVM hypercall ABI (Linux Documentation/virt/kvm/x86/hypercalls.rst): number in RAX, arguments
 * in RBX, RCX, RDX, RSI, result in RAX. VMCALL on Intel, VMMCALL on AMD, chosen from the CPUID
 * vendor string. Outside a hypervisor the instruction raises #UD; with the trap handlers
 * installed the call returns `nr` unchanged.
 */
uint64_t kvm_hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);

/*
 * The KVMI agent hypercall (KVM introspection, "KVMI_VCPU_EVENT_HYPERCALL"): RAX = 34
 * (KVM_HC_XEN_HVM_OP), RDI = 24 (KVM_HC_XEN_HVM_OP_GUEST_REQUEST_VM_EVENT), RSI = 0, as the
 * selftest guest issues it in 64-bit mode.
 */
#define KVMI_AGENT_HYPERCALL_NR 34
#define KVMI_AGENT_HYPERCALL_A0 24
uint64_t kvmi_agent_hypercall(void);

/* 1 when CPUID leaf 0 reports "GenuineIntel", 0 otherwise (AMD, Hygon, others). */
int cpu_vendor_is_intel(void);

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif
