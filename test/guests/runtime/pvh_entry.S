/*
 * PVH boot entry shared by every test guest. A PVH loader (QEMU -kernel, or our VMM) finds the
 * Xen ELF note below and enters pvh_start32 in 32-bit flat protected mode, paging off, with EBX
 * pointing at the hvm_start_info block. This file switches to 64-bit long mode on identity-mapped
 * 2 MiB pages, enables SSE, zeroes .bss, calls main(start_info) and exits with main's result.
 */

#include "boot_defs.h"

/*
 * Xen ELF note XEN_ELFNOTE_PHYS32_ENTRY (type 18): name "Xen", 8-byte descriptor holding the
 * physical address of the 32-bit entry point (Xen public/elfnote.h; PVH boot ABI).
 * The section is 4-byte aligned so the PT_NOTE segment's p_align is 4, which is what QEMU's
 * note reader assumes when it steps over the name.
 */
	.section .note.Xen, "a", @note
	.balign 4
	.long 4				/* n_namesz: "Xen\0" */
	.long 8				/* n_descsz */
	.long XEN_ELFNOTE_PHYS32_ENTRY	/* n_type */
	.asciz "Xen"
	.balign 4
	.quad pvh_start32
	.balign 4

	.section .text.boot, "ax"
	.code32
	.globl pvh_start32
	.type pvh_start32, @function
pvh_start32:
	cli
	cld
	mov	%ebx, %ebp		/* start_info pointer; CPUID below overwrites EBX */

	/* Zero .bss first: it holds the page tables and the boot stack. */
	mov	$__bss_start, %edi
	mov	$__bss_end, %ecx
	sub	%edi, %ecx
	xor	%eax, %eax
	rep stosb

	/*
	 * Identity map the first 1 GiB with 2 MiB pages (Intel SDM Vol. 3A 4.5, "4-level paging"):
	 * PML4[0] -> PDPT, PDPT[0] -> PD, PD[i] = i * 2 MiB with PS. The U/S bit is set at every
	 * level so a guest may also run code and touch data from ring 3.
	 */
	mov	$boot_pdpt, %eax
	or	$(PTE_PRESENT | PTE_WRITABLE | PTE_USER), %eax
	mov	%eax, boot_pml4
	mov	$boot_pd, %eax
	or	$(PTE_PRESENT | PTE_WRITABLE | PTE_USER), %eax
	mov	%eax, boot_pdpt
	mov	$boot_pd, %edi
	mov	$(PTE_PRESENT | PTE_WRITABLE | PTE_USER | PTE_LARGE), %eax
	mov	$512, %ecx
1:	mov	%eax, (%edi)
	movl	$0, 4(%edi)
	add	$0x200000, %eax
	add	$8, %edi
	loop	1b

	/* CR4: PAE for long mode, OSFXSR + OSXMMEXCPT so compiled code may use SSE (SDM 3A 2.5, 13.1). */
	mov	%cr4, %eax
	or	$(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	mov	%eax, %cr4

	mov	$boot_pml4, %eax
	mov	%eax, %cr3

	/* EFER.LME, plus EFER.NXE when CPUID 0x80000001:EDX.NX says it exists (SDM 3A 2.2.1). */
	mov	$0x80000001, %eax
	cpuid
	xor	%esi, %esi
	test	$CPUID_80000001_EDX_NX, %edx
	jz	2f
	mov	$EFER_NXE, %esi
2:	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	or	%esi, %eax
	wrmsr

	/* CR0: paging + protection, MP=1, EM=0, TS=0, NE=1, WP=1 (SDM 3A 9.8.5, "Initializing IA-32e Mode"). */
	mov	%cr0, %eax
	and	$~(CR0_EM | CR0_TS), %eax
	or	$(CR0_PG | CR0_PE | CR0_MP | CR0_NE | CR0_WP), %eax
	mov	%eax, %cr0

	lgdt	boot_gdt_descriptor
	ljmp	$BOOT_CS, $start64

	.code64
start64:
	mov	$BOOT_DS, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%eax, %fs
	mov	%eax, %gs
	mov	$boot_stack_top, %rsp
	mov	%ebp, %edi		/* main(const struct hvm_start_info *) */
	xor	%ebp, %ebp		/* end of the frame-pointer chain */
	call	main
	mov	%eax, %edi
	call	guest_exit		/* does not return */
3:	hlt
	jmp	3b
	.size pvh_start32, . - pvh_start32

/* Flat GDT: null, 64-bit ring-0 code (0x08), ring-0 data (0x10) (SDM 3A 3.4.5, 5.2.1). */
	.section .data
	.balign 16
	.globl boot_gdt
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff
	.quad 0x00cf92000000ffff
boot_gdt_end:
boot_gdt_descriptor:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.section .bss
	.balign 4096
	.globl boot_pml4
boot_pml4:
	.skip 4096
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4096
	.balign 16
	.globl boot_stack, boot_stack_top
boot_stack:
	.skip BOOT_STACK_SIZE
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
