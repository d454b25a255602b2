// The machine builder with the x86 core: each boot protocol's entry state as the guest sees it
// (CPU mode, the start-info pointer in EBX, a usable long-mode stack), with tiny hand-built images.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EmulatorEngine } from '../../../src/vmm/engine/emulatorEngine';
import { createMachine } from '../../../src/vmm/machine/machine';
import { buildElf } from './elfBuilder';
import { x86CoreMissing } from './guestImage';

/** 32-bit: exit 0 if [EBX] holds the hvm_start_info magic, else exit 1. */
const PVH_CHECKS_START_INFO = [0x8b, 0x03, 0x3d, 0x78, 0xc5, 0x6e, 0x33, 0x75, 0x04, 0xb0, 0x00, 0xe6, 0xf4, 0xb0, 0x01, 0xe6, 0xf4];
/** 64-bit: push 0x2a; pop rax; out 0xf4, al -- needs the stack the loader set up. */
const ELF64_PUSH_POP_EXIT = [0x6a, 0x2a, 0x58, 0xe6, 0xf4];

test('PVH entry: 32-bit mode with the start info in EBX, as the guest checks it', async (t) => {
  const missing = x86CoreMissing();
  if (missing) { t.skip(missing); return; }
  const guest = buildElf({ bits: 32, segments: [{ paddr: 0x100000, data: new Uint8Array(PVH_CHECKS_START_INFO) }], pvhEntry: 0x100000 });
  const machine = await createMachine({ engine: new EmulatorEngine(), guest, memoryMiB: 2, cpus: 1 });
  assert.equal(machine.boot.format, 'pvh');
  await machine.start({ paused: true });
  assert.equal(await machine.vm.vcpus[0].mode(), 4);
  await machine.vm.vcpus[0].unpause();
  assert.deepEqual(await machine.vm.finished, { kind: 'exitPort', status: 0 });
});

test('ELF64 entry: long mode with identity paging and a working stack', async (t) => {
  const missing = x86CoreMissing();
  if (missing) { t.skip(missing); return; }
  const guest = buildElf({ entry: 0x200000, segments: [{ paddr: 0x200000, data: new Uint8Array(ELF64_PUSH_POP_EXIT) }] });
  const machine = await createMachine({ engine: new EmulatorEngine(), guest, memoryMiB: 4, cpus: 2 });
  assert.equal(machine.boot.format, 'elf64');
  await machine.start({ paused: true });
  assert.equal(await machine.vm.vcpus[0].mode(), 8);
  assert.equal(await machine.vm.vcpus[0].translate(0x200000n), 0x200000n);
  await machine.vm.vcpus[0].unpause();
  assert.deepEqual(await machine.vm.finished, { kind: 'exitPort', status: 0x2a });
  assert.deepEqual(machine.vm.vcpus.map((v) => v.state), ['stopped', 'stopped'], 'the paused second vCPU is stopped too');
});

test('a guest that cannot boot leaves no vCPU threads behind', async () => {
  await assert.rejects(createMachine({ engine: new EmulatorEngine(), guest: new Uint8Array([1, 2, 3]), memoryMiB: 2, cpus: 1 }), { name: 'ElfError' });
});
