// Host detection and the `auto` engine choice: classifyHost and chooseAutoEngine on fixed facts
// (PVM, VMX, SVM, missing or unreadable /dev/kvm, wrong API version), and probeHost on this machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyHost, HostFacts, probeHost } from '../../../src/vmm/kvm/hostProbe';
import { chooseAutoEngine } from '../../../src/vmm/kvm/engineChoice';

function facts(change: Partial<HostFacts> = {}): HostFacts {
  return {
    platform: 'linux', deviceExists: true, apiVersion: 12,
    modules: { kvm_pvm: false, kvm_intel: false, kvm_amd: false }, cpuFlags: { vmx: false, svm: false }, ...change,
  };
}

const pvm = facts({ modules: { kvm_pvm: true, kvm_intel: false, kvm_amd: false } });
const vmx = facts({ modules: { kvm_pvm: false, kvm_intel: true, kvm_amd: false }, cpuFlags: { vmx: true, svm: false } });
const svm = facts({ modules: { kvm_pvm: false, kvm_intel: false, kvm_amd: true }, cpuFlags: { vmx: false, svm: true } });

test('the backend is recognised from modules and CPU flags', () => {
  assert.equal(classifyHost(pvm).backend, 'pvm');
  assert.match(classifyHost(pvm).reason, /API 12, PVM/);
  assert.equal(classifyHost(vmx).backend, 'vmx');
  assert.equal(classifyHost(svm).backend, 'svm');
  // kvm_intel loaded but no vmx flag: not claimed as hardware virtualisation
  assert.equal(classifyHost(facts({ modules: { kvm_pvm: false, kvm_intel: true, kvm_amd: false } })).backend, 'unknown');
});

test('an absent, unopenable or wrong-version /dev/kvm is unusable, with the reason', () => {
  const absent = classifyHost(facts({ deviceExists: false }));
  assert.equal(absent.usable, false);
  assert.match(absent.reason, /does not exist/);
  const denied = classifyHost(facts({ openError: 'EACCES' }));
  assert.equal(denied.usable, false);
  assert.match(denied.reason, /EACCES/);
  const old = classifyHost(facts({ apiVersion: 11 }));
  assert.equal(old.usable, false);
  assert.match(old.reason, /API version 11, not 12/);
  assert.equal(classifyHost(facts({ platform: 'darwin' })).usable, false);
});

test('auto picks KVM on VMX/SVM, the emulator for kernel-only guests on PVM, hybrid KVM for other guests on PVM', () => {
  assert.equal(chooseAutoEngine(classifyHost(vmx), 'kernel').engine, 'kvm');
  assert.equal(chooseAutoEngine(classifyHost(svm), 'unknown').engine, 'kvm');
  const kernelOnPvm = chooseAutoEngine(classifyHost(pvm), 'kernel');
  assert.equal(kernelOnPvm.engine, 'emulator');
  assert.match(kernelOnPvm.reason, /^auto: emulator \(this \/dev\/kvm is PVM: guest kernel code would run in KVM's emulator at <1 MIPS/);
  const unknownOnPvm = chooseAutoEngine(classifyHost(pvm), 'unknown');
  assert.deepEqual([unknownOnPvm.engine, unknownOnPvm.softwareKernel], ['kvm', true]);
  const userOnPvm = chooseAutoEngine(classifyHost(pvm), 'user');
  assert.equal(userOnPvm.engine, 'kvm');
  assert.equal(userOnPvm.softwareKernel, true);
  assert.match(userOnPvm.reason, /^auto: kvm, hybrid \(this \/dev\/kvm is PVM: the guest's ring-3 code runs natively/);
  assert.equal(chooseAutoEngine(classifyHost(vmx), 'user').softwareKernel, false);
  const none = chooseAutoEngine(classifyHost(facts({ deviceExists: false })), 'user');
  assert.equal(none.engine, 'emulator');
  assert.match(none.reason, /KVM not usable: \/dev\/kvm does not exist/);
});

test('probeHost describes this machine in one line', () => {
  const p = probeHost();
  assert.equal(typeof p.reason, 'string');
  assert.ok(!p.reason.includes('\n'));
  if (p.usable) assert.equal(p.apiVersion, 12);
});
