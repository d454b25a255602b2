/*
 * The KVMI v12 wire structures declared in C exactly as the protocol reference gives them (x86_64
 * uAPI, sections 1.2-4.2 of the KVMI reference), with kvm_regs, kvm_sregs, kvm_msrs and kvm_xsave taken
 * from this machine's <linux/kvm.h>. The C compiler's sizeof/offsetof of these declarations is the
 * independent oracle the TypeScript layout table is checked against.
 */
#ifndef KVMI_STRUCTS_H
#define KVMI_STRUCTS_H

#include <linux/kvm.h>
#include <linux/types.h>
#include <stdint.h>

/* Section 2.1: framing. */
struct kvmi_msg_hdr { __u16 id; __u16 size; __u32 seq; };
struct kvmi_error_code { __s32 err; __u32 padding; };
struct kvmi_vcpu_hdr { __u16 vcpu; __u16 padding1; __u32 padding2; };

/* Section 4.1: events. */
struct kvmi_event_hdr { __u16 event; __u16 padding[3]; };

struct kvmi_vcpu_event_arch {
	__u8 mode;
	__u8 padding[7];
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct {
		__u64 sysenter_cs;
		__u64 sysenter_esp;
		__u64 sysenter_eip;
		__u64 efer;
		__u64 star;
		__u64 lstar;
		__u64 cstar;
		__u64 pat;
		__u64 shadow_gs;
	} msrs;
};

struct kvmi_vcpu_event {
	__u16 size;
	__u16 vcpu;
	__u32 padding;
	struct kvmi_vcpu_event_arch arch;
};

struct kvmi_vcpu_event_reply { __u8 action; __u8 event; __u16 padding1; __u32 padding2; };

/* Section 3.1: VM commands. */
struct kvmi_features { __u8 singlestep; __u8 padding[7]; };
struct kvmi_get_version_reply { __u32 version; __u32 max_msg_size; struct kvmi_features features; };
struct kvmi_vm_check_command { __u16 id; __u16 padding1; __u32 padding2; };
struct kvmi_vm_check_event { __u16 id; __u16 padding1; __u32 padding2; };
struct kvmi_vm_get_info_reply { __u32 vcpu_count; __u32 padding[3]; };
struct kvmi_vm_control_events { __u16 event_id; __u8 enable; __u8 padding1; __u32 padding2; };
struct kvmi_vm_read_physical { __u64 gpa; __u16 size; __u16 padding1; __u32 padding2; };
struct kvmi_vm_write_physical { __u64 gpa; __u16 size; __u16 padding1; __u32 padding2; __u8 data[]; };
struct kvmi_vm_pause_vcpu { __u16 vcpu; __u8 wait; __u8 padding1; __u32 padding2; };
struct kvmi_vm_control_cleanup { __u8 enable; __u8 padding[7]; };
struct kvmi_page_access_entry { __u64 gpa; __u8 access; __u8 padding[7]; };
struct kvmi_vm_set_page_access {
	__u16 count;
	__u16 padding1;
	__u32 padding2;
	struct kvmi_page_access_entry entries[];
};

/* Section 3.2: vCPU commands. */
struct kvmi_vcpu_get_info_reply { __u64 tsc_speed; };
struct kvmi_vcpu_control_events { __u16 event_id; __u8 enable; __u8 padding1; __u32 padding2; };
struct kvmi_vcpu_get_registers { __u16 nmsrs; __u16 padding1; __u32 padding2; __u32 msrs_idx[]; };
struct kvmi_vcpu_get_registers_reply {
	__u32 mode;
	__u32 padding;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_msrs msrs;
};
struct kvmi_vcpu_get_cpuid { __u32 function; __u32 index; };
struct kvmi_vcpu_get_cpuid_reply { __u32 eax; __u32 ebx; __u32 ecx; __u32 edx; };
struct kvmi_vcpu_control_cr { __u8 cr; __u8 enable; __u16 padding1; __u32 padding2; };
struct kvmi_vcpu_inject_exception { __u8 nr; __u8 padding1; __u16 padding2; __u32 error_code; __u64 address; };
struct kvmi_vcpu_get_xcr { __u8 xcr; __u8 padding[7]; };
struct kvmi_vcpu_get_xcr_reply { __u64 value; };
struct kvmi_vcpu_get_xsave_reply { struct kvm_xsave xsave; };
struct kvmi_vcpu_set_xsave { struct kvm_xsave xsave; };
struct kvmi_vcpu_get_mtrr_type { __u64 gpa; };
struct kvmi_vcpu_get_mtrr_type_reply { __u8 type; __u8 padding[7]; };
struct kvmi_vcpu_control_msr { __u8 enable; __u8 padding1; __u16 padding2; __u32 msr; };
struct kvmi_vcpu_control_singlestep { __u8 enable; __u8 padding[7]; };
struct kvmi_vcpu_translate_gva { __u64 gva; };
struct kvmi_vcpu_translate_gva_reply { __u64 gpa; };

/* Section 4.2: event-specific payloads and replies. */
struct kvmi_vcpu_event_breakpoint { __u64 gpa; __u8 insn_len; __u8 padding[7]; };
struct kvmi_vcpu_event_cr { __u8 cr; __u8 padding[7]; __u64 old_value; __u64 new_value; };
struct kvmi_vcpu_event_cr_reply { __u64 new_val; };
struct kvmi_vcpu_event_trap { __u8 nr; __u8 padding1; __u16 padding2; __u32 error_code; __u64 address; };
struct kvmi_vcpu_event_xsetbv { __u8 xcr; __u8 padding[7]; __u64 old_value; __u64 new_value; };
struct kvmi_vcpu_event_descriptor { __u8 descriptor; __u8 write; __u8 padding[6]; };
struct kvmi_vcpu_event_msr { __u32 msr; __u32 padding; __u64 old_value; __u64 new_value; };
struct kvmi_vcpu_event_msr_reply { __u64 new_val; };
struct kvmi_vcpu_event_pf { __u64 gva; __u64 gpa; __u8 access; __u8 padding1; __u16 padding2; __u32 padding3; };
struct kvmi_vcpu_event_singlestep { __u8 failed; __u8 padding[7]; };

/* Section 1.2: QEMU <-> tool handshake (QEMU_VMI_NAME_SIZE 64, QEMU_VMI_COOKIE_HASH_SIZE 20). */
struct qemu_vmi_to_introspector {
	uint32_t struct_size;
	uint8_t uuid[16];
	uint32_t padding;
	int64_t start_time;
	char name[64];
	uint64_t max_gpa;
};
struct qemu_vmi_from_introspector {
	uint32_t struct_size;
	uint8_t cookie_hash[20];
};

/* Section 1.3: ioctl arguments. */
struct kvm_introspection_hook { __s32 fd; __u32 padding; __u8 uuid[16]; };
struct kvm_introspection_feature { __u32 allow; __s32 id; };

#endif /* KVMI_STRUCTS_H */
