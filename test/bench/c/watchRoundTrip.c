/*
 * The bare peer of the KVM engine's watchpoint round trip (test/bench/kvmBench.ts): a minimal VMM
 * runs a ring-3, 64-bit guest loop that stores to one page and then does an OUT (a KVM_EXIT_IO
 * after the store). Per iteration: mprotect the page read-only in the VMM's mapping, KVM_RUN
 * (fails with EFAULT before the store: kvm-facts.md "Exact write events", mechanism B),
 * KVM_GET_REGS, mprotect back to read-write, KVM_RUN (the store, then the OUT exit).
 * Usage: watchRoundTrip ROUNDS; prints "<microseconds per round> <rounds>".
 */
#include "bareVmm.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MEM_SIZE (2u << 20)
#define PML4 0x1000
#define PDPT 0x2000
#define PD 0x3000
#define CODE 0x10000
#define DATA 0x20000

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 4096;
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) die("open /dev/kvm");
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) die("KVM_CREATE_VM");
	uint8_t *mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) die("mmap");
	struct kvm_userspace_memory_region region = { .slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE, .userspace_addr = (uintptr_t)mem };
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) die("KVM_SET_USER_MEMORY_REGION");

	/* 4-level paging, one 2 MiB page with U/S set (SDM Vol. 3A 4.5). */
	*(uint64_t *)(mem + PML4) = PDPT | 7;
	*(uint64_t *)(mem + PDPT) = PD | 7;
	*(uint64_t *)(mem + PD) = 0x87;
	/* l: mov [rdi],al; out 0x80,al; jmp l */
	static const uint8_t code[] = { 0x88, 0x07, 0xe6, 0x80, 0xeb, 0xfa };
	memcpy(mem + CODE, code, sizeof code);

	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) die("KVM_CREATE_VCPU");
	int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_run *run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED) die("mmap kvm_run");

	struct kvm_sregs sregs;
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) die("KVM_GET_SREGS");
	sregs.cr3 = PML4;
	sregs.cr4 = 0x20;                      /* PAE */
	sregs.cr0 = 0x80010033;                /* PG, WP, NE, ET, MP, PE */
	sregs.efer = 0x500;                    /* LME, LMA */
	sregs.cs = user_segment(1);
	sregs.ds = sregs.es = sregs.ss = sregs.fs = sregs.gs = user_segment(0);
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0) die("KVM_SET_SREGS");
	struct kvm_regs regs = { .rip = CODE, .rdi = DATA, .rax = 0x5a, .rflags = 2, .rsp = 0x30000 };
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0) die("KVM_SET_REGS");

	/* First run: up to the first OUT, so the page is warm in KVM's MMU. */
	if (ioctl(vcpu, KVM_RUN, 0) < 0 || run->exit_reason != KVM_EXIT_IO) die("first KVM_RUN");
	double t0 = now_us();
	for (long i = 0; i < rounds; i++) {
		if (mprotect(mem + DATA, 4096, PROT_READ) < 0) die("mprotect read-only");
		if (ioctl(vcpu, KVM_RUN, 0) == 0 || errno != EFAULT) {
			fprintf(stderr, "watchRoundTrip: the store did not fault (exit %u)\n", run->exit_reason);
			return 1;
		}
		if (ioctl(vcpu, KVM_GET_REGS, &regs) < 0) die("KVM_GET_REGS");
		if (regs.rip != CODE) { fprintf(stderr, "watchRoundTrip: fault at rip 0x%llx\n", (unsigned long long)regs.rip); return 1; }
		if (mprotect(mem + DATA, 4096, PROT_READ | PROT_WRITE) < 0) die("mprotect read-write");
		if (ioctl(vcpu, KVM_RUN, 0) < 0 || run->exit_reason != KVM_EXIT_IO) die("KVM_RUN after the store");
	}
	printf("%.2f %ld\n", (now_us() - t0) / rounds, rounds);
	return mem[DATA] == 0x5a ? 0 : 1;
}
