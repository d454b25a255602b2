/*
 * The PVH boot ABI's start-of-day structure, whose address the loader passes in EBX (Xen
 * public/arch-x86/hvm/start_info.h, struct hvm_start_info, version 0 fields).
 */
#ifndef GUEST_PVH_H
#define GUEST_PVH_H

#include <stdint.h>

#define XEN_HVM_START_MAGIC_VALUE 0x336ec578

struct hvm_start_info {
	uint32_t magic;		/* XEN_HVM_START_MAGIC_VALUE */
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
};

#endif
