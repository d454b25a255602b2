// Harness for KVMI tests against the real test guests (test/guests): the machine built by the
// VMM's machine builder on a chosen engine (the software x86 engine by default), the KVMI host, and
// a listening client.
// guestSymbol() reads a symbol's address from the guest ELF.
import { readFileSync } from 'node:fs';
import type { Engine } from '../../../../src/vmm/engine/engine';
import { EmulatorEngine } from '../../../../src/vmm/engine/emulatorEngine';
import { createMachine, type Machine } from '../../../../src/vmm/machine/machine';
import { startIntrospection, type IntrospectionHandle } from '../../../../src/vmm/introspection';
import { listen, type KvmiListener, type ListenOptions } from '../../../../src/dap/kvmi/kvmiListener';
import type { KvmiConnection } from '../../../../src/dap/kvmi/kvmiConnection';
import { DebugInfo } from '../../../../src/dap/debuginfo';
import { ensureGuestsBuilt, guestPath, guestToolchainMissing } from '../../../support/guests';
import { hostOptions, socketDir } from './harness';

/** Why real-guest tests cannot run here, or undefined. */
export function guestsUnavailable(): string | undefined {
  const missing = guestToolchainMissing();
  if (missing) return missing;
  ensureGuestsBuilt();
  return undefined;
}

export function guestSymbol(guest: string, name: string): bigint {
  const symbol = DebugInfo.fromFile(guestPath(guest)).symbolTable.find((s) => s.name === name);
  if (!symbol) throw new Error(`${guest} has no symbol ${name}`);
  return BigInt(symbol.value);
}

export interface GuestRig {
  machine: Machine;
  host: IntrospectionHandle;
  conn: KvmiConnection;
  listener: KvmiListener;
  serial: () => string;
  dispose(): Promise<void>;
}

export async function guestRig(guest: string, client: ListenOptions = {}, engine: Engine = new EmulatorEngine()): Promise<GuestRig> {
  const dir = socketDir();
  const address = `unix:${dir.path('g.sock')}`;
  const listener = await listen(address, client);
  const output: number[] = [];
  const machine = await createMachine({
    engine, guest: readFileSync(guestPath(guest)), memoryMiB: 16, cpus: 1,
    serialOutput: (b) => output.push(...b),
  });
  const hostStarted = startIntrospection(machine.vm, hostOptions(address), { log: () => {} });
  const conn = await listener.accept(10_000);
  const host = await hostStarted;
  return {
    machine, host, conn, listener,
    serial: () => Buffer.from(output).toString('latin1'),
    async dispose() { conn.close(); await host.close(); await machine.vm.stop(); await listener.close(); dir.remove(); },
  };
}
