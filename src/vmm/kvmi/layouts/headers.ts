// Layouts of the KVMI framing structures shared by every message: the message header, the command
// error code, the vCPU command prefix, the event header and the event-reply prefix (KVMI reference §2.1, §4.1).
import { array, pad, s32, struct, u16, u32, u8 } from '../layoutDsl';

export const KVMI_MSG_HDR = struct('kvmi_msg_hdr', 8, { id: u16, size: u16, seq: u32 });

/** First part of every command reply; the command-specific reply follows only when err == 0. */
export const KVMI_ERROR_CODE = struct('kvmi_error_code', 8, { err: s32, padding: pad(u32) });

/** Prefix of every vCPU command and every event reply. */
export const KVMI_VCPU_HDR = struct('kvmi_vcpu_hdr', 8, { vcpu: u16, padding1: pad(u16), padding2: pad(u32) });

/** First part of every event payload (VM and vCPU events). */
export const KVMI_EVENT_HDR = struct('kvmi_event_hdr', 8, { event: u16, padding: pad(array(u16, 3)) });

/** Common part of every event reply, after kvmi_vcpu_hdr. */
export const KVMI_VCPU_EVENT_REPLY = struct('kvmi_vcpu_event_reply', 8, {
  action: u8, event: u8, padding1: pad(u16), padding2: pad(u32),
});
