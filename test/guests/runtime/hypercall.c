/*
 * KVM hypercalls from the guests: picks VMCALL (Intel, SDM Vol. 2B "VMCALL") or VMMCALL (AMD APM
 * Vol. 3 "VMMCALL") by CPUID vendor. Each call registers its own resume point with the trap
 * handlers (traps.h), so a #UD on bare hardware or under TCG skips the instruction.
 */
#include "runtime.h"
#include "traps.h"

int cpu_vendor_is_intel(void)
{
	struct cpuid_result r = cpuid(0, 0);

	/* "GenuineIntel" is returned as EBX="Genu", EDX="ineI", ECX="ntel". */
	return r.ebx == 0x756e6547 && r.edx == 0x49656e69 && r.ecx == 0x6c65746e;
}

uint64_t kvm_hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	uint64_t result = nr;

	if (cpu_vendor_is_intel())
		__asm__ volatile(TRAP_GUARDED("vmcall")
				 : "+a"(result) : "b"(a0), "c"(a1), "d"(a2), "S"(a3) : "memory");
	else
		__asm__ volatile(TRAP_GUARDED("vmmcall")
				 : "+a"(result) : "b"(a0), "c"(a1), "d"(a2), "S"(a3) : "memory");
	return result;
}

uint64_t kvmi_agent_hypercall(void)
{
	uint64_t result = KVMI_AGENT_HYPERCALL_NR;

	if (cpu_vendor_is_intel())
		__asm__ volatile(TRAP_GUARDED("vmcall")
				 : "+a"(result) : "D"((uint64_t)KVMI_AGENT_HYPERCALL_A0), "S"((uint64_t)0) : "memory");
	else
		__asm__ volatile(TRAP_GUARDED("vmmcall")
				 : "+a"(result) : "D"((uint64_t)KVMI_AGENT_HYPERCALL_A0), "S"((uint64_t)0) : "memory");
	return result;
}
