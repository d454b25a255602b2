// Expected difference pinned: the KVMI intercepts the KVM engine cannot honour exactly are refused
// with a typed error naming the event (never accepted and then silently missed). Plain KVM accepts
// only PF. With the software kernel every intercept is accepted: CPL 0 code runs in the software
// core, and while a breakpoint, hypercall, descriptor or single-step intercept is on, ring 3 does
// too. The software engine accepts every one of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CpuIntercepts } from '../../../src/vmm/engine/cpuCore';
import { CANDIDATES, REFERENCE } from './engineVariants';

const RING3_REACHABLE: [string, Partial<CpuIntercepts>][] = [
  ['breakpoint', { breakpoint: true }], ['hypercall', { hypercall: true }],
  ['descriptor', { descriptor: true }], ['singlestep', { singlestep: true }],
];
const PRIVILEGED: [string, Partial<CpuIntercepts>][] = [
  ['CR-write', { crWrite: new Set([4]) }], ['MSR-write', { msrWrite: new Set([0x140]) }], ['xsetbv', { xsetbv: true }],
];

test('the software engine accepts every intercept', async () => {
  const vm = await REFERENCE.create().createVm({ memoryBytes: 1 << 20, vcpus: 1 });
  try {
    for (const [, change] of [...RING3_REACHABLE, ...PRIVILEGED]) await vm.vcpus[0].setIntercepts(change);
  } finally {
    await vm.stop();
  }
});

for (const variant of CANDIDATES) {
  test(`${variant.name} accepts exactly the intercepts it can deliver, refuses the others by name`, async (t) => {
    const why = variant.unavailable();
    if (why) { t.skip(why); return; }
    const vm = await variant.create().createVm({ memoryBytes: 1 << 20, vcpus: 1 });
    try {
      for (const [name, change] of [...RING3_REACHABLE, ...PRIVILEGED]) {
        if (variant.name === 'kvm+softwareKernel') await vm.vcpus[0].setIntercepts(change);
        else await assert.rejects(vm.vcpus[0].setIntercepts(change), new RegExp(`cannot deliver KVMI ${name} events without softwareKernel`));
      }
    } finally {
      await vm.stop();
    }
  });
}
