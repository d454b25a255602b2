// The kernel entry frames the hybrid KVM engine hides from KVM (src/vmm/kvm/kernelEntries.ts): the
// frames of every present interrupt/trap gate's target, of LSTAR with EFER.SCE and of SYSENTER_EIP,
// found through the guest's translation, and with one walk per linear page rather than per address
// (this runs on every return to ring 3 after kernel code); KernelEntryCache reuses the decoded gates
// while the IDT's bytes stay the same, and still follows rewritten gates and remapped pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelEntryCache, kernelEntryFrames } from '../../../src/vmm/kvm/kernelEntries';
import { emptySregs } from '../../../src/vmm/x86/kvmState';

const KERNEL = 0xffff_ffff_8000_0000n;
const IDT_LINEAR = KERNEL + 0x5000n;
const IDT_GPA = 0x9000;
/** Linear kernel page -> guest-physical frame base, deliberately not an identity map. */
const PAGES = new Map<bigint, bigint>([
  [IDT_LINEAR, BigInt(IDT_GPA)],
  [KERNEL + 0x1000n, 0x40000n],
  [KERNEL + 0x2000n, 0x7000n],
  [KERNEL + 0x3000n, 0x23000n],
]);

function machine(targets: bigint[]): { ram: Uint8Array; walks: () => number; translate: (gva: bigint) => bigint | undefined } {
  const ram = new Uint8Array(0x80000);
  const v = new DataView(ram.buffer);
  targets.forEach((target, vector) => {
    const at = IDT_GPA + vector * 16;
    v.setUint16(at, Number(target & 0xffffn), true);
    v.setUint16(at + 2, 0x10, true);
    v.setUint8(at + 5, vector % 7 === 3 ? 0x0e : 0x8e);         // every 7th gate not present
    v.setUint16(at + 6, Number((target >> 16n) & 0xffffn), true);
    v.setUint32(at + 8, Number((target >> 32n) & 0xffffffffn), true);
  });
  let walks = 0;
  return {
    ram,
    walks: () => walks,
    translate: (gva) => {
      walks++;
      const base = PAGES.get(gva & ~0xfffn);
      return base === undefined ? undefined : base + (gva & 0xfffn);
    },
  };
}

test('the frames of present gate targets, LSTAR and SYSENTER_EIP, with a handful of page walks', () => {
  const handlers = [KERNEL + 0x1010n, KERNEL + 0x1ff0n, KERNEL + 0x2400n, KERNEL + 0x9000n];   // the last is unmapped
  const targets = Array.from({ length: 256 }, (_, i) => handlers[i % handlers.length]);
  const m = machine(targets);
  const sregs = { ...emptySregs(), efer: 0xd01n, idt: { base: IDT_LINEAR, limit: 256 * 16 - 1 } };
  const frames = kernelEntryFrames({ sregs, lstar: KERNEL + 0x3008n, sysenterCs: 0x10n, sysenterEip: KERNEL + 0x2010n }, m.ram, m.translate);
  assert.deepEqual([...frames].sort((a, b) => a - b), [0x7, 0x23, 0x40]);
  assert.ok(m.walks() <= 6, `${m.walks()} page walks`);
});

test('no SYSCALL entry without EFER.SCE, no SYSENTER entry without SYSENTER_CS, no gate past the IDT limit', () => {
  const targets = [KERNEL + 0x1010n, KERNEL + 0x2010n];
  const m = machine(targets);
  const sregs = { ...emptySregs(), efer: 0xd00n, idt: { base: IDT_LINEAR, limit: 16 - 1 } };
  const frames = kernelEntryFrames({ sregs, lstar: KERNEL + 0x3008n, sysenterCs: 0n, sysenterEip: KERNEL + 0x2010n }, m.ram, m.translate);
  assert.deepEqual([...frames], [0x40]);
});

test('KernelEntryCache: the same frames; a rewritten gate and a remapped page are followed', () => {
  const targets = [KERNEL + 0x1010n, KERNEL + 0x2010n, KERNEL + 0x1f00n];
  const m = machine(targets);
  const sregs = { ...emptySregs(), efer: 0xd01n, idt: { base: IDT_LINEAR, limit: 256 * 16 - 1 } };
  const regs = { sregs, lstar: KERNEL + 0x3008n, sysenterCs: 0n, sysenterEip: 0n };
  const cache = new KernelEntryCache();
  const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);
  assert.deepEqual(sorted(cache.frames(regs, m.ram, m.translate)), sorted(kernelEntryFrames(regs, m.ram, m.translate)));
  assert.deepEqual(sorted(cache.frames(regs, m.ram, m.translate)), [0x7, 0x23, 0x40]);

  // Gate 1 now points into the page at KERNEL + 0x3000 (frame 0x23), which LSTAR shares: 0x7 goes.
  const v = new DataView(m.ram.buffer);
  v.setUint16(IDT_GPA + 16, 0x3100, true);
  assert.deepEqual(sorted(cache.frames(regs, m.ram, m.translate)), [0x23, 0x40]);

  // The page of gate 0's target moves to another frame: translated afresh, not remembered.
  PAGES.set(KERNEL + 0x1000n, 0x50000n);
  try {
    assert.deepEqual(sorted(cache.frames(regs, m.ram, m.translate)), [0x23, 0x50]);
  } finally {
    PAGES.set(KERNEL + 0x1000n, 0x40000n);
  }
});
