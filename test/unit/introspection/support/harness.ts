// Test harness: a software-engine VM running the scripted CPU (scriptedCpu.ts) in real vCPU
// threads, the VMM's KVMI host connected through a real Unix socket to the client library, and
// helpers to start the guest and to tear everything down.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmulatorEngine } from '../../../../src/vmm/engine/emulatorEngine';
import type { Vm } from '../../../../src/vmm/engine/engine';
import { emptyRegs } from '../../../../src/vmm/x86/kvmState';
import { parseKvmiAddress } from '../../../../src/vmm/kvmi/transportAddress';
import { startIntrospection, type IntrospectionHandle } from '../../../../src/vmm/introspection';
import type { IntrospectionOptions } from '../../../../src/vmm/introspection/introspectionOptions';
import { listen, type KvmiListener, type ListenOptions } from '../../../../src/dap/kvmi/kvmiListener';
import type { KvmiConnection } from '../../../../src/dap/kvmi/kvmiConnection';

export const engine = new EmulatorEngine({ cpuModule: join(__dirname, 'scriptedCpu.ts') });
export const PROGRAM_AT = 0x1000;
const MiB = 1 << 20;

/** A fresh private directory for socket files. */
export function socketDir(): { dir: string; path(name: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'kvmi-test-'));
  return { dir, path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function scriptedVm(program: number[], vcpus = 1): Promise<{ vm: Vm; serial: number[] }> {
  const serial: number[] = [];
  const vm = await engine.createVm({ memoryBytes: 2 * MiB, vcpus, serialOutput: (b) => serial.push(...b) });
  vm.writeGuest(PROGRAM_AT, new Uint8Array(program));
  for (const v of vm.vcpus) await v.setRegs({ ...emptyRegs(), rip: BigInt(PROGRAM_AT) });
  return { vm, serial };
}

export function hostOptions(address: string, extra: Partial<IntrospectionOptions> = {}): IntrospectionOptions {
  return {
    address: parseKvmiAddress(address),
    key: undefined, reconnectSeconds: undefined, deniedCommands: [], deniedEvents: [],
    handshakeTimeoutMs: 5000, unhookTimeoutMs: 5000, ...extra,
  };
}

export interface Rig {
  vm: Vm;
  serial: number[];
  host: IntrospectionHandle;
  conn: KvmiConnection;
  listener: KvmiListener;
  logs: string[];
  /** Starts every vCPU (paused first; released through the host's start gate). */
  start(run?: number[]): Promise<void>;
  dispose(): Promise<void>;
}

/** A VM with the program, a host connected to a listening client, the guest not started yet. */
export async function rig(program: number[], opts: { vcpus?: number; host?: Partial<IntrospectionOptions>; client?: ListenOptions } = {}): Promise<Rig> {
  const dir = socketDir();
  const address = `unix:${dir.path('kvmi.sock')}`;
  const listener = await listen(address, opts.client);
  const { vm, serial } = await scriptedVm(program, opts.vcpus ?? 1);
  const logs: string[] = [];
  const hostPromise = startIntrospection(vm, hostOptions(address, opts.host), { log: (m) => logs.push(m) });
  const conn = await listener.accept(5000);
  const host = await hostPromise;
  return {
    vm, serial, host, conn, listener, logs,
    start: (run = [0]) => host.startGuest({ start: async (o) => vm.start(o) }, run),
    async dispose() {
      conn.close();
      await host.close();
      await vm.stop();
      await listener.close();
      dir.remove();
    },
  };
}
