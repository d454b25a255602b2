// The binary form in which a vCPU event's state crosses from the vCPU thread to the VMM core
// (src/vmm/engine/eventArchCodec.ts): every register, segment field, control register, interrupt
// bitmap word and MSR must come back exactly, the bytes are kvmi_vcpu_event_arch as a KVMI tool
// reads it, and a buffer of the wrong size is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEventArch, encodeEventArch, EVENT_ARCH_BYTES } from '../../../src/vmm/engine/eventArchCodec';
import { VcpuEventArch } from '../../../src/vmm/engine/vcpuEvents';
import { decodeStruct, KVMI_VCPU_EVENT_ARCH } from '../../../src/vmm/kvmi';

function sample(): VcpuEventArch {
  let n = 0x0123456789abcdefn;
  const next = () => (n = BigInt.asUintN(64, n * 6364136223846793005n + 1442695040888963407n));
  const seg = (selector: number) => ({ base: next(), limit: 0xffffffff, selector, type: 11, present: 1, dpl: 3, db: 0, s: 1, l: 1, g: 1, avl: 1, unusable: 0 });
  const regs = Object.fromEntries(['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rsp', 'rbp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rip', 'rflags'].map((k) => [k, next()]));
  return {
    mode: 8,
    regs: regs as unknown as VcpuEventArch['regs'],
    sregs: {
      cs: seg(0x33), ds: seg(0x2b), es: seg(0), fs: seg(0), gs: seg(0), ss: seg(0x2b), tr: seg(0x40), ldt: { ...seg(0), unusable: 1 },
      gdt: { base: next(), limit: 0x7f }, idt: { base: next(), limit: 0xfff },
      cr0: 0x80050033n, cr2: next(), cr3: 0x1000n, cr4: 0x6a0n, cr8: 0n, efer: 0xd01n, apic_base: 0xfee00900n,
      interrupt_bitmap: [0n, 1n << 63n, 0n, 5n],
    },
    msrs: { sysenter_cs: 0x10n, sysenter_esp: next(), sysenter_eip: next(), efer: 0xd01n, star: next(), lstar: 0xffffffff81000000n, cstar: 0n, pat: 0x0007040600070406n, shadow_gs: 2n ** 64n - 1n },
  };
}

test('an event state survives encoding exactly', () => {
  const arch = sample();
  const bytes = encodeEventArch(arch);
  assert.equal(bytes.byteLength, EVENT_ARCH_BYTES);
  assert.deepEqual(decodeEventArch(bytes), arch);
});

test('the encoded state is struct kvmi_vcpu_event_arch as a KVMI tool decodes it', () => {
  const arch = sample();
  assert.deepEqual(decodeStruct(KVMI_VCPU_EVENT_ARCH, encodeEventArch(arch)), arch);
});

test('a 32-bit mode and an unaligned copy decode too', () => {
  const arch = { ...sample(), mode: 4 as const };
  const shifted = new Uint8Array(EVENT_ARCH_BYTES + 1);
  shifted.set(encodeEventArch(arch), 1);
  assert.deepEqual(decodeEventArch(shifted.subarray(1)), arch);
});

test('a buffer of the wrong size or with a bad mode is refused', () => {
  assert.throws(() => decodeEventArch(new Uint8Array(EVENT_ARCH_BYTES - 8)), /has \d+ bytes, not/);
  const bytes = encodeEventArch({ ...sample(), mode: 8 });
  bytes[0] = 3;                                           // kvmi_vcpu_event_arch.mode
  assert.throws(() => decodeEventArch(bytes), /mode 3, not 2, 4 or 8/);
});
