// Engine selection: kvm needs a usable /dev/kvm and says what is missing; auto explains its pick
// from what the host offers (probe answers are fixed here, never read from this machine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../../../src/vmm/engine/engine';
import { selectEngine } from '../../../src/vmm/engine/selectEngine';
import { HostProbe } from '../../../src/vmm/kvm/hostProbe';

const noKvm = (): HostProbe => ({ usable: false, backend: 'unknown', reason: '/dev/kvm does not exist' });
const pvm = (): HostProbe => ({ usable: true, backend: 'pvm', apiVersion: 12, reason: '/dev/kvm: API 12, PVM' });
const vmx = (): HostProbe => ({ usable: true, backend: 'vmx', apiVersion: 12, reason: '/dev/kvm: API 12, Intel VMX' });

test('--engine kvm without a usable /dev/kvm is refused with a typed error naming the reason', () => {
  assert.throws(() => selectEngine('kvm', noKvm), (e: unknown) => e instanceof EngineError && e.kind === 'notAvailable'
    && e.message === 'the KVM engine cannot run here: /dev/kvm does not exist; use --engine emulator');
  assert.equal(selectEngine('kvm', pvm).engine.name, 'kvm');
});

test('--engine auto picks hybrid KVM on PVM, the emulator without KVM, KVM on VMX, and says why', () => {
  const onPvm = selectEngine('auto', pvm);
  assert.equal(onPvm.engine.name, 'kvm');
  assert.match(onPvm.note ?? '', /^engine auto: kvm, hybrid \(this \/dev\/kvm is PVM/);
  assert.match(selectEngine('auto', noKvm).note ?? '', /^engine auto: emulator \(KVM not usable: \/dev\/kvm does not exist\)/);
  const onVmx = selectEngine('auto', vmx);
  assert.equal(onVmx.engine.name, 'kvm');
  assert.match(onVmx.note ?? '', /^engine auto: kvm /);
});

test('--engine emulator never probes the host', () => {
  const r = selectEngine('emulator', () => { throw new Error('probed'); });
  assert.equal(r.engine.name, 'emulator');
  assert.equal(r.note, undefined);
});
