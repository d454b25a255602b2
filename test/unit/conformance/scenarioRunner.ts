// Runs one conformance scenario on one engine and records what a KVMI tool and a user would see:
// every vCPU event (kind, gva, gpa, access, the registers and control state sent with it), the
// guest's serial output, how the VM stopped and the final bytes of the memory the scenario names.
// Register excluded from comparisons: RBX, which the guests' boot code leaves holding CPUID
// 0x80000001's EBX (test/guests/runtime/pvh_entry.S), a value that describes each engine's CPU model.
import { readFileSync } from 'node:fs';
import { parseElf } from '../../../src/dap/debuginfo/elf/elfFile';
import { readSymbols } from '../../../src/dap/debuginfo/elf/elfSymbols';
import { Engine, PageAccessEntry, Vm } from '../../../src/vmm/engine/engine';
import { CpuIntercepts } from '../../../src/vmm/engine/cpuCore';
import { VcpuEvent } from '../../../src/vmm/engine/vcpuEvents';
import { VmStopReason } from '../../../src/vmm/engine/vmStop';
import { KvmVm } from '../../../src/vmm/kvm/kvmEngine';
import { createMachine } from '../../../src/vmm/machine/machine';
import { ensureGuestsBuilt, guestPath } from '../../support/guests';

/** Registers left out of event comparisons (see the header). */
export const EXCLUDED_REGISTERS = ['rbx'] as const;

export interface SeenEvent {
  kind: string;
  gva?: bigint;
  gpa?: bigint;
  access?: number;
  regs: Record<string, bigint>;
  cs: number;
  ss: number;
  cr0: bigint;
  cr3: bigint;
  cr4: bigint;
  efer: bigint;
  mode: number;
}

export interface RunResult {
  events: SeenEvent[];
  stdout: string;
  stop: VmStopReason;
  /** Hex of each region the scenario compares, in order. */
  memory: string[];
  /** KVM engine counters (undefined on the software engine). */
  lateAccesses?: number;
}

/** Guest symbols by name, from the ELF. */
export type Symbols = (name: string) => bigint;

export interface ScenarioContext {
  vm: Vm;
  sym: Symbols;
  /** Sets the allowed access of the scenario's watched frames back to 7 (unrestricted). */
  lift(): void;
}

export interface Patch { gpa: bigint; bytes: number[] }

export interface Scenario {
  name: string;
  guest: string;
  /** CPL of the code that makes the watched accesses. */
  ring: 0 | 3;
  /** What the restriction watches: data (reads/writes), instruction fetches, or nothing (other events). */
  watching: 'data' | 'fetch' | 'nothing';
  /** Code or data written into the loaded guest before it starts. */
  patches?(sym: Symbols): Patch[];
  restrict(sym: Symbols): PageAccessEntry[];
  intercepts?: Partial<CpuIntercepts>;
  /** Answers one event (must call e.reply once); `index` counts events from 0. */
  respond(e: VcpuEvent, index: number, ctx: ScenarioContext): void | Promise<void>;
  /** Memory compared after the run. */
  compare(sym: Symbols): { gpa: bigint; length: number }[];
}

export function guestSymbols(guest: string): Symbols {
  const all = readSymbols(parseElf(readFileSync(guestPath(guest))));
  return (name) => {
    const s = all.find((x) => x.name === name);
    if (!s) throw new Error(`guest ${guest} has no symbol ${name}`);
    return s.value;
  };
}

function seen(e: VcpuEvent): SeenEvent {
  const regs: Record<string, bigint> = { ...e.arch.regs };
  for (const r of EXCLUDED_REGISTERS) delete regs[r];
  const s = e.arch.sregs;
  const pf = e.kind === 'pf' ? { gva: e.gva, gpa: e.gpa, access: e.access } : {};
  return { kind: e.kind, ...pf, regs, cs: s.cs.selector, ss: s.ss.selector, cr0: s.cr0, cr3: s.cr3, cr4: s.cr4, efer: s.efer, mode: e.arch.mode };
}

/** Runs `scenario` on `engine`; `unrestricted` drops its page restrictions (the no-watch baseline). */
export async function runScenario(engine: Engine, scenario: Scenario, unrestricted = false): Promise<RunResult> {
  ensureGuestsBuilt();
  const sym = guestSymbols(scenario.guest);
  let stdout = '';
  const machine = await createMachine({
    engine, guest: readFileSync(guestPath(scenario.guest)), memoryMiB: 32, cpus: 1,
    serialOutput: (b) => { stdout += Buffer.from(b).toString('latin1'); },
  });
  const vm = machine.vm;
  for (const p of scenario.patches?.(sym) ?? []) vm.writeGuest(Number(p.gpa), new Uint8Array(p.bytes));
  const restricted = unrestricted ? [] : scenario.restrict(sym);
  const ctx: ScenarioContext = { vm, sym, lift: () => vm.setPageAccess(restricted.map((r) => ({ gpa: r.gpa, access: 7 }))) };
  const events: SeenEvent[] = [];
  let failure: unknown;
  vm.onEvent((e) => {
    events.push(seen(e));
    Promise.resolve(scenario.respond(e, events.length - 1, ctx)).catch((err) => { failure = err; e.reply('crash'); });
  });
  try {
    await vm.vcpus[0].setIntercepts({ pf: restricted.length > 0, ...scenario.intercepts });
    vm.setPageAccess(restricted);
  } catch (e) {
    await vm.stop();
    throw e;
  }
  await machine.start();
  const stop = await vm.finished;
  if (failure) throw failure;
  const memory = scenario.compare(sym).map((r) => Buffer.from(vm.readGuest(Number(r.gpa), r.length)).toString('hex'));
  const lateAccesses = vm.engine === 'kvm' ? (vm as KvmVm).kvmCounters().lateAccesses : undefined;
  return { events, stdout, stop, memory, lateAccesses };
}
