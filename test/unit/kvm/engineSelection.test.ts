// --engine kvm on a PVM host runs guest ring 0 in the software core (hybrid); on
// VMX/SVM hosts it is plain KVM. Probe answers are fixed here, never read from this machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectEngine } from '../../../src/vmm/engine/selectEngine';
import { HostProbe } from '../../../src/vmm/kvm/hostProbe';
import { KvmEngine } from '../../../src/vmm/kvm/kvmEngine';

const pvm = (): HostProbe => ({ usable: true, backend: 'pvm', apiVersion: 12, reason: '/dev/kvm: API 12, PVM' });
const svm = (): HostProbe => ({ usable: true, backend: 'svm', apiVersion: 12, reason: '/dev/kvm: API 12, AMD SVM' });

test('--engine kvm on PVM is hybrid; on SVM it is plain KVM', () => {
  const onPvm = selectEngine('kvm', pvm);
  assert.ok(onPvm.engine instanceof KvmEngine && onPvm.engine.softwareKernel);
  const onSvm = selectEngine('kvm', svm);
  assert.ok(onSvm.engine instanceof KvmEngine && !onSvm.engine.softwareKernel);
});
