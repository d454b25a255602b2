// Layouts of the VM-scoped command requests and replies (KVMI reference §3.1). VM commands carry no
// kvmi_vcpu_hdr; their body starts right after kvmi_msg_hdr.
import { bytes, pad, struct, u16, u32, u64, u8, array, withTail } from '../layoutDsl';

/** x86 struct kvmi_features (the `features` member of the GET_VERSION reply). */
export const KVMI_FEATURES = struct('kvmi_features', 8, { singlestep: u8, padding: pad(bytes(7)) });

export const KVMI_GET_VERSION_REPLY = struct('kvmi_get_version_reply', 16, {
  version: u32, max_msg_size: u32, features: KVMI_FEATURES,
});

export const KVMI_VM_CHECK_COMMAND = struct('kvmi_vm_check_command', 8, {
  id: u16, padding1: pad(u16), padding2: pad(u32),
});

export const KVMI_VM_CHECK_EVENT = struct('kvmi_vm_check_event', 8, {
  id: u16, padding1: pad(u16), padding2: pad(u32),
});

export const KVMI_VM_GET_INFO_REPLY = struct('kvmi_vm_get_info_reply', 16, {
  vcpu_count: u32, padding: pad(array(u32, 3)),
});

export const KVMI_VM_CONTROL_EVENTS = struct('kvmi_vm_control_events', 8, {
  event_id: u16, enable: u8, padding1: pad(u8), padding2: pad(u32),
});

export const KVMI_VM_READ_PHYSICAL = struct('kvmi_vm_read_physical', 16, {
  gpa: u64, size: u16, padding1: pad(u16), padding2: pad(u32),
});

/** The READ_PHYSICAL reply is just the bytes read: an empty fixed part and a tail as long as the message. */
export const KVMI_VM_READ_PHYSICAL_REPLY = withTail(struct('kvmi_vm_read_physical_reply', 0, {}, { anonymous: true }), {
  name: 'data', elem: u8, count: 'rest',
});

export const KVMI_VM_WRITE_PHYSICAL = withTail(struct('kvmi_vm_write_physical', 16, {
  gpa: u64, size: u16, padding1: pad(u16), padding2: pad(u32),
}), { name: 'data', elem: u8, count: 'size' });

export const KVMI_VM_PAUSE_VCPU = struct('kvmi_vm_pause_vcpu', 8, {
  vcpu: u16, wait: u8, padding1: pad(u8), padding2: pad(u32),
});

export const KVMI_VM_CONTROL_CLEANUP = struct('kvmi_vm_control_cleanup', 8, { enable: u8, padding: pad(bytes(7)) });

/** One gfn restriction (KVMI reference §5): access bits R=1, W=2, X=4. */
export const KVMI_PAGE_ACCESS_ENTRY = struct('kvmi_page_access_entry', 16, {
  gpa: u64, access: u8, padding: pad(bytes(7)),
});

export const KVMI_VM_SET_PAGE_ACCESS = withTail(struct('kvmi_vm_set_page_access', 8, {
  count: u16, padding1: pad(u16), padding2: pad(u32),
}), { name: 'entries', elem: KVMI_PAGE_ACCESS_ENTRY, count: 'count' });
