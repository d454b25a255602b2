// Engine selection: kvm is refused clearly, auto explains its pick from what the host offers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../../../src/vmm/engine/engine';
import { selectEngine } from '../../../src/vmm/engine/selectEngine';

const host = (...paths: string[]) => (p: string) => paths.includes(p);

test('--engine kvm is refused with a typed, explanatory error', () => {
  assert.throws(() => selectEngine('kvm', host()), (e: unknown) => e instanceof EngineError && e.kind === 'notAvailable'
    && e.message === 'the KVM engine is not available yet (no /dev/kvm on this host); use --engine emulator');
});

test('--engine auto picks the emulator and names what the host has', () => {
  const pvm = selectEngine('auto', host('/dev/kvm', '/sys/module/kvm_pvm'));
  assert.equal(pvm.engine.name, 'emulator');
  assert.match(pvm.note ?? '', /chose the emulator because the KVM engine is not available yet \(\/dev\/kvm is PVM/);
  assert.match(selectEngine('auto', host('/dev/kvm', '/sys/module/kvm_amd')).note ?? '', /hardware-assisted/);
  assert.equal(selectEngine('emulator').note, undefined);
});
