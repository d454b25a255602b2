// The event mailbox through which a vCPU thread hands an event to the VMM core
// (src/vmm/engine/eventMailbox.ts): every kind of event exit and its state snapshot come back
// exactly, and the snapshot read out is a copy that the next event does not overwrite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CpuEventExit } from '../../../src/vmm/engine/cpuCore';
import { decodeEventArch } from '../../../src/vmm/engine/eventArchCodec';
import { EVENT_MAILBOX_BYTES, readEvent, writeEvent } from '../../../src/vmm/engine/eventMailbox';
import { controlBytes, mailbox } from '../../../src/vmm/engine/sharedControl';
import { emptyRegs, emptySregs } from '../../../src/vmm/x86/kvmState';
import { VcpuEventArch } from '../../../src/vmm/engine/vcpuEvents';

const EXITS: CpuEventExit[] = [
  { kind: 'pf', gva: 0xffff_8000_0000_1234n, gpa: 0x7f_f000n, access: 2 },
  { kind: 'breakpoint', gpa: 0x1_0000n, insnLen: 1 },
  { kind: 'hypercall' },
  { kind: 'cr', cr: 4, oldValue: 0x6a0n, newValue: 0x2000_06a0n },
  { kind: 'msr', msr: 0xc000_0082, oldValue: 0n, newValue: 0xffff_ffff_8100_0000n },
  { kind: 'xsetbv', xcr: 0, oldValue: 1n, newValue: 3n },
  { kind: 'descriptor', descriptor: 3, write: true },
  { kind: 'descriptor', descriptor: 2, write: false },
  { kind: 'singlestep' },
];

function arch(rip: bigint): VcpuEventArch {
  return {
    mode: 8, regs: { ...emptyRegs(), rip, rax: 2n ** 64n - 1n }, sregs: emptySregs(),
    msrs: { sysenter_cs: 0n, sysenter_esp: 0n, sysenter_eip: 0n, efer: 0xd01n, star: 0n, lstar: 0n, cstar: 0n, pat: 0x0007040600070406n, shadow_gs: 0n },
  };
}

test('every event exit and its state snapshot come back exactly from a vCPU mailbox', () => {
  const control = new SharedArrayBuffer(controlBytes(2));
  const box = mailbox(control, 1);
  assert.equal(box.byteLength, EVENT_MAILBOX_BYTES);
  for (const [i, exit] of EXITS.entries()) {
    writeEvent(box, exit, arch(BigInt(0x1000 + i)));
    const read = readEvent(box);
    assert.deepEqual(read.exit, exit);
    assert.equal(decodeEventArch(read.arch).regs.rip, BigInt(0x1000 + i));
    assert.equal(decodeEventArch(read.arch).regs.rax, 2n ** 64n - 1n);
  }
});

test('the snapshot read from a mailbox is a copy: the next event does not change it', () => {
  const box = mailbox(new SharedArrayBuffer(controlBytes(1)), 0);
  writeEvent(box, EXITS[0], arch(0x1000n));
  const first = readEvent(box);
  writeEvent(box, EXITS[1], arch(0x2000n));
  assert.equal(decodeEventArch(first.arch).regs.rip, 0x1000n);
});

test('two vCPUs\' mailboxes do not overlap each other or the control slots', () => {
  const control = new SharedArrayBuffer(controlBytes(3));
  const boxes = [0, 1, 2].map((i) => mailbox(control, i));
  for (const [i, b] of boxes.entries()) writeEvent(b, EXITS[i], arch(BigInt(i)));
  for (const [i, b] of boxes.entries()) assert.deepEqual(readEvent(b).exit, EXITS[i]);
  assert.ok(boxes[2].byteOffset + boxes[2].byteLength <= control.byteLength);
});
