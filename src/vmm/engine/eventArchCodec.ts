// A flat binary form of a vCPU event's state snapshot (VcpuEventArch: kvmi_vcpu_event_arch's mode,
// regs, sregs and MSR block, kvmi-protocol.md 4.1) for the hop from a vCPU thread to the VMM core
// through the event mailbox (eventMailbox.ts): about 150 object properties as one block of bytes in
// shared memory, decoded by the VMM core only when someone reads the event's state.
import { KvmDtable, KvmRegs, KvmSegment, KvmSregs, KvmiEventMsrs } from '../x86/kvmState';
import { VcpuEventArch } from './vcpuEvents';

const REGS = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rsp', 'rbp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rip', 'rflags'] as const;
const SEGMENTS = ['cs', 'ds', 'es', 'fs', 'gs', 'ss', 'tr', 'ldt'] as const;
const SEGMENT_FIELDS = ['limit', 'selector', 'type', 'present', 'dpl', 'db', 's', 'l', 'g', 'avl', 'unusable'] as const;
const CONTROL = ['cr0', 'cr2', 'cr3', 'cr4', 'cr8', 'efer', 'apic_base'] as const;
const MSRS = ['sysenter_cs', 'sysenter_esp', 'sysenter_eip', 'efer', 'star', 'lstar', 'cstar', 'pat', 'shadow_gs'] as const;

// 64-bit slots: registers, segment bases, GDT/IDT bases, control registers, interrupt bitmap, MSRs.
const U64_SEG_BASE = REGS.length;
const U64_DT_BASE = U64_SEG_BASE + SEGMENTS.length;
const U64_CONTROL = U64_DT_BASE + 2;
const U64_BITMAP = U64_CONTROL + CONTROL.length;
const U64_MSRS = U64_BITMAP + 4;
const U64_SLOTS = U64_MSRS + MSRS.length;
// 32-bit slots after them: segment fields, GDT/IDT limits, mode.
const U32_DT_LIMIT = SEGMENTS.length * SEGMENT_FIELDS.length;
const U32_MODE = U32_DT_LIMIT + 2;
const U32_SLOTS = U32_MODE + 1;
/** Size in bytes of an encoded snapshot. */
export const EVENT_ARCH_BYTES = U64_SLOTS * 8 + U32_SLOTS * 4;

/** Encodes `arch` into `out` (EVENT_ARCH_BYTES at an 8-byte aligned offset; a new array by default). */
export function encodeEventArch(arch: VcpuEventArch, out: Uint8Array = new Uint8Array(EVENT_ARCH_BYTES)): Uint8Array {
  if (out.byteLength !== EVENT_ARCH_BYTES || out.byteOffset % 8 !== 0) throw new RangeError(`an encoded event state takes ${EVENT_ARCH_BYTES} bytes at an 8-byte aligned offset`);
  const q = new BigUint64Array(out.buffer, out.byteOffset, U64_SLOTS);
  const w = new Uint32Array(out.buffer, out.byteOffset + U64_SLOTS * 8, U32_SLOTS);
  const { regs, sregs, msrs } = arch;
  for (let i = 0; i < REGS.length; i++) q[i] = BigInt.asUintN(64, regs[REGS[i]]);
  for (let i = 0; i < SEGMENTS.length; i++) {
    const seg = sregs[SEGMENTS[i]];
    q[U64_SEG_BASE + i] = BigInt.asUintN(64, seg.base);
    for (let f = 0; f < SEGMENT_FIELDS.length; f++) w[i * SEGMENT_FIELDS.length + f] = seg[SEGMENT_FIELDS[f]];
  }
  q[U64_DT_BASE] = BigInt.asUintN(64, sregs.gdt.base);
  q[U64_DT_BASE + 1] = BigInt.asUintN(64, sregs.idt.base);
  w[U32_DT_LIMIT] = sregs.gdt.limit;
  w[U32_DT_LIMIT + 1] = sregs.idt.limit;
  for (let i = 0; i < CONTROL.length; i++) q[U64_CONTROL + i] = BigInt.asUintN(64, sregs[CONTROL[i]]);
  for (let i = 0; i < 4; i++) q[U64_BITMAP + i] = BigInt.asUintN(64, sregs.interrupt_bitmap[i]);
  for (let i = 0; i < MSRS.length; i++) q[U64_MSRS + i] = BigInt.asUintN(64, msrs[MSRS[i]]);
  w[U32_MODE] = arch.mode;
  return out;
}

export function decodeEventArch(bytes: Uint8Array): VcpuEventArch {
  if (bytes.byteLength !== EVENT_ARCH_BYTES) throw new RangeError(`an encoded event state has ${EVENT_ARCH_BYTES} bytes, not ${bytes.byteLength}`);
  const copy = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const q = new BigUint64Array(copy.buffer, copy.byteOffset, U64_SLOTS);
  const w = new Uint32Array(copy.buffer, copy.byteOffset + U64_SLOTS * 8, U32_SLOTS);
  const regs = {} as KvmRegs;
  for (let i = 0; i < REGS.length; i++) regs[REGS[i]] = q[i];
  const sregs = {} as KvmSregs;
  for (let i = 0; i < SEGMENTS.length; i++) {
    const seg = { base: q[U64_SEG_BASE + i] } as KvmSegment;
    for (let f = 0; f < SEGMENT_FIELDS.length; f++) seg[SEGMENT_FIELDS[f]] = w[i * SEGMENT_FIELDS.length + f];
    sregs[SEGMENTS[i]] = seg;
  }
  sregs.gdt = { base: q[U64_DT_BASE], limit: w[U32_DT_LIMIT] } as KvmDtable;
  sregs.idt = { base: q[U64_DT_BASE + 1], limit: w[U32_DT_LIMIT + 1] } as KvmDtable;
  for (let i = 0; i < CONTROL.length; i++) sregs[CONTROL[i]] = q[U64_CONTROL + i];
  sregs.interrupt_bitmap = [q[U64_BITMAP], q[U64_BITMAP + 1], q[U64_BITMAP + 2], q[U64_BITMAP + 3]];
  const msrs = {} as KvmiEventMsrs;
  for (let i = 0; i < MSRS.length; i++) msrs[MSRS[i]] = q[U64_MSRS + i];
  const mode = w[U32_MODE];
  if (mode !== 2 && mode !== 4 && mode !== 8) throw new RangeError(`an encoded event state has mode ${mode}, not 2, 4 or 8`);
  return { mode, regs, sregs, msrs };
}
