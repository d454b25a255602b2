/*
 * A bare VMM as the lower bound of the KVM engine's ring-3 speed (test/bench/kvmBench.ts figure a''):
 * it loads a flat image (ring3Entry.S linked with the bench guest's own bench_workload object) at
 * 1 MiB, maps the first 4 MiB with 4 KiB pages (U/S set), and runs it in 64-bit ring 3 with one
 * KVM_RUN until the OUT at its end. Guest RAM is a memfd mapping, as in the KVM engine.
 * Usage: ring3Workload IMAGE; prints "<milliseconds> <checksum>".
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

#define MEM_SIZE (4u << 20)
#define PML4 0x1000
#define PDPT 0x2000
#define PD 0x3000
#define PT 0x4000          /* two page tables, 0x4000 and 0x5000 */
#define IMAGE 0x100000
#define STACK_TOP 0x3ff000

int main(int argc, char **argv)
{
	if (argc < 2) { fprintf(stderr, "usage: ring3Workload IMAGE\n"); return 2; }
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) die("open /dev/kvm");
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) die("KVM_CREATE_VM");
	int memfd = memfd_create("ring3-workload", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, MEM_SIZE) < 0) die("memfd");
	uint8_t *mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (mem == MAP_FAILED) die("mmap");
	struct kvm_userspace_memory_region region = { .slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE, .userspace_addr = (uintptr_t)mem };
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) die("KVM_SET_USER_MEMORY_REGION");

	/* 4-level paging, identity-mapped 4 KiB pages with U/S and R/W (SDM Vol. 3A 4.5). */
	*(uint64_t *)(mem + PML4) = PDPT | 7;
	*(uint64_t *)(mem + PDPT) = PD | 7;
	for (int t = 0; t < 2; t++) {
		*(uint64_t *)(mem + PD + 8 * t) = (PT + 0x1000 * t) | 7;
		for (int i = 0; i < 512; i++)
			*(uint64_t *)(mem + PT + 0x1000 * t + 8 * i) = ((uint64_t)(t * 512 + i) << 12) | 7;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) die(argv[1]);
	size_t n = fread(mem + IMAGE, 1, STACK_TOP - IMAGE - 0x10000, f);
	fclose(f);
	if (n == 0) die("empty image");

	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) die("KVM_CREATE_VCPU");
	int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_run *run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED) die("mmap kvm_run");
	struct kvm_cpuid2 *cpuid = calloc(1, sizeof *cpuid + 256 * sizeof(struct kvm_cpuid_entry2));
	cpuid->nent = 256;
	if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, cpuid) < 0) die("KVM_GET_SUPPORTED_CPUID");
	if (ioctl(vcpu, KVM_SET_CPUID2, cpuid) < 0) die("KVM_SET_CPUID2");

	struct kvm_sregs sregs;
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) die("KVM_GET_SREGS");
	sregs.cr3 = PML4;
	sregs.cr4 = 0x620;                     /* PAE, OSFXSR, OSXMMEXCPT (as the test guests set) */
	sregs.cr0 = 0x80010033;                /* PG, WP, NE, ET, MP, PE */
	sregs.efer = 0x500;                    /* LME, LMA */
	sregs.cs = user_segment(1);
	sregs.ds = sregs.es = sregs.ss = sregs.fs = sregs.gs = user_segment(0);
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0) die("KVM_SET_SREGS");
	struct kvm_regs regs = { .rip = IMAGE, .rflags = 2, .rsp = STACK_TOP };
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0) die("KVM_SET_REGS");

	double t0 = now_us();
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR) continue;
			die("KVM_RUN");
		}
		if (run->exit_reason == KVM_EXIT_IO) break;
		fprintf(stderr, "ring3Workload: unexpected exit %u\n", run->exit_reason);
		return 1;
	}
	double ms = (now_us() - t0) / 1e3;
	if (ioctl(vcpu, KVM_GET_REGS, &regs) < 0) die("KVM_GET_REGS");
	printf("%.1f 0x%llx\n", ms, (unsigned long long)regs.rbx);
	return 0;
}
