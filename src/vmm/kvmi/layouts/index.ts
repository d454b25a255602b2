// Every KVMI v12 wire structure, as layout data (see ../layoutDsl.ts for the notation).
// ALL_LAYOUTS lists each top-level structure once, for tests and tools that walk the whole protocol.
import type { StructLayout } from '../layoutDsl';
import * as events from './events';
import * as handshake from './handshake';
import * as headers from './headers';
import * as vcpuCommands from './vcpuCommands';
import * as vcpuEvent from './vcpuEvent';
import * as vmCommands from './vmCommands';
import * as x86 from './x86';

export * from './events';
export * from './handshake';
export * from './headers';
export * from './vcpuCommands';
export * from './vcpuEvent';
export * from './vmCommands';
export * from './x86';

function layoutsOf(module: Record<string, unknown>): StructLayout[] {
  return Object.values(module).filter((v): v is StructLayout =>
    typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'struct');
}

/** Each distinct structure once (aliases such as KVMI_VCPU_SET_REGISTERS = kvm_regs collapse). */
export const ALL_LAYOUTS: readonly StructLayout[] = [...new Map(
  [x86, headers, vcpuEvent, events, vmCommands, vcpuCommands, handshake]
    .flatMap(layoutsOf)
    .map((l) => [l.name, l] as const),
).values()];
