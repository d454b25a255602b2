// A test guest from test/guests/out on an engine, 32 MiB and one vCPU, with its COM1 output collected:
// the set-up most engine, conformance and KVM tests share.
import { readFileSync } from 'node:fs';
import type { Engine } from '../../src/vmm/engine/engine';
import type { Vcpu } from '../../src/vmm/engine/engine';
import { createMachine, type Machine } from '../../src/vmm/machine/machine';
import { ensureGuestsBuilt, guestPath } from './guests';

export interface GuestMachine {
  machine: Machine;
  /** COM1 output so far, as latin1 text. */
  output(): string;
}

/** Builds the guests if needed and creates (does not start) a machine running `guest` on `engine`. */
export async function guestMachine(engine: Engine, guest: string): Promise<GuestMachine> {
  ensureGuestsBuilt();
  let stdout = '';
  const machine = await createMachine({
    engine, guest: readFileSync(guestPath(guest)), memoryMiB: 32, cpus: 1,
    serialOutput: (b) => { stdout += Buffer.from(b).toString('latin1'); },
  });
  return { machine, output: () => stdout };
}

/** Polls until `vcpu` runs guest ring 3 (CS.DPL = 3), or it stopped running. */
export async function untilRing3(vcpu: Vcpu): Promise<void> {
  while ((await vcpu.getSregs()).cs.dpl !== 3 && vcpu.state === 'running') { /* the guest is still in its ring-0 set-up */ }
}
