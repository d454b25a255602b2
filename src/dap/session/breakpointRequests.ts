// Breakpoint and watchpoint requests: source breakpoints (line table -> execute watchpoint on the
// line's first address), instruction breakpoints (execute watchpoint on one byte), data
// breakpoints on variables, expressions and address ranges (dataBreakpointInfo + setDataBreakpoints,
// with guest-virtual, guest-physical and execute modes), and the custom watchpoint requests of
// protocol/custom.ts. All become entries of the one watchpoint table.
import { basename } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { formatMemoryReference, parseMemoryReference, type MemoryLocation } from '../memory/guestMemory';
import {
  CustomRequest, type AddWatchpointArguments, type RemoveWatchpointArguments, type WatchpointDescription,
} from '../protocol/custom';
import { PAGE_SIZE, type AddressSpace, type WatchAccess, type Watchpoint, type WatchpointSpec } from '../watch/watchpoint';
import type { ConfiguredWatchpoint } from './launchConfig';
import type { KvmiDebugSession } from './kvmiDebugSession';
import type { Machine } from './machine';
import { frameLocals } from './localVariables';
import { pageAccessText } from './stopInfo';

/**
 * dataId format: "SPACE[+x]:0xADDRESS:LENGTH:label"; "+x" records the execute breakpoint mode
 * chosen in dataBreakpointInfo (DAP carries the mode there, not in setDataBreakpoints).
 */
function dataIdOf(space: AddressSpace, execute: boolean, address: bigint, length: number, label: string): string {
  return `${space}${execute ? '+x' : ''}:0x${address.toString(16)}:${length}:${label}`;
}

function parseDataId(id: string): { space: AddressSpace; execute: boolean; address: bigint; length: number; label: string } {
  const m = /^(virtual|physical)(\+x)?:(0x[0-9a-f]+):(\d+):(.*)$/i.exec(id);
  if (!m) throw new Error(`"${id}" is not a data breakpoint id of this debugger`);
  return { space: m[1] as AddressSpace, execute: m[2] !== undefined, address: BigInt(m[3]), length: Number(m[4]), label: m[5] };
}

const DATA_ACCESS: Record<string, WatchAccess> = { read: 'read', write: 'write', readWrite: 'readWrite' };

export class BreakpointRequests {
  constructor(private readonly session: KvmiDebugSession) {}

  /** A watchpoint from the launch/attach configuration, resolved against the guest's symbols. */
  configuredSpec(w: ConfiguredWatchpoint): WatchpointSpec {
    if (w.symbol !== undefined) {
      const sym = this.session.symbols.lookup(w.symbol);
      if (!sym) throw new Error(`watchpoint symbol "${w.symbol}" is not in the guest's symbol table`);
      return { origin: 'custom', address: sym.address, length: w.size ?? sym.size, access: w.access, space: 'virtual', label: w.symbol };
    }
    return { origin: 'custom', address: w.address!, length: w.size!, access: w.access, space: 'virtual', label: `0x${w.address!.toString(16)}` };
  }

  async setBreakpoints(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): Promise<void> {
    await this.session.run(response, async (m) => {
      const path = args.source.path ?? args.source.name ?? '';
      const requested = args.breakpoints ?? [];
      const lines = this.session.symbols.debugInfo?.hasDwarf ? this.session.symbols.debugInfo.lines : undefined;
      const resolved = requested.map((bp) => ({ bp, where: lines ? resolveLine(lines, path, bp.line) : undefined }));
      // Source breakpoints of other files stay; this file's are replaced.
      const others = m.watchpoints.table.all.filter((w) => w.origin === 'source' && !w.label.startsWith(`${basename(path)}:`));
      const specs: WatchpointSpec[] = [...others];
      for (const { bp, where } of resolved) {
        if (where) specs.push({ origin: 'source', address: where.address, length: 1, access: 'execute', space: 'virtual', label: `${basename(path)}:${where.line}`, condition: bp.condition, hitCondition: bp.hitCondition, logMessage: bp.logMessage });
      }
      const results = await m.watchpoints.replace('source', specs, m.currentVcpu);
      const mine = results.slice(others.length);
      let i = 0;
      response.body = {
        breakpoints: resolved.map(({ bp, where }) => {
          if (!where) return { verified: false, line: bp.line, message: lines ? 'no code on or after this line' : 'the guest has no line table (DWARF)' };
          const r = mine[i++];
          return r instanceof Error ? { verified: false, line: bp.line, message: r.message }
            : { id: r.id, verified: true, line: where.line, instructionReference: `0x${where.address.toString(16)}` };
        }),
      };
    });
  }

  async setInstructionBreakpoints(response: DebugProtocol.SetInstructionBreakpointsResponse, args: DebugProtocol.SetInstructionBreakpointsArguments): Promise<void> {
    await this.session.run(response, async (m) => {
      const specs = args.breakpoints.map((bp): WatchpointSpec => {
        const address = parseMemoryReference(bp.instructionReference).address + BigInt(bp.offset ?? 0);
        return { origin: 'instruction', address, length: 1, access: 'execute', space: 'virtual', label: `0x${address.toString(16)}`, condition: bp.condition, hitCondition: bp.hitCondition };
      });
      const results = await m.watchpoints.replace('instruction', specs, m.currentVcpu);
      response.body = { breakpoints: results.map(describeResult) };
    });
  }

  async dataBreakpointInfo(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments, scope: { kind: string; vcpu: number } | undefined): Promise<void> {
    await this.session.run(response, async (m) => {
      const physical = args.mode === 'physical';
      const execute = args.mode === 'execute';
      const accessTypes: DebugProtocol.DataBreakpointAccessType[] = ['read', 'write', 'readWrite'];
      if (args.asAddress) {
        const location = parseMemoryReference(args.name);
        const bytes = args.bytes ?? 1;
        const space = physical || location.space === 'physical' ? 'physical' : 'virtual';
        response.body = { dataId: dataIdOf(space, execute, location.address, bytes, formatMemoryReference({ space, address: location.address })), description: `${bytes} byte${bytes === 1 ? '' : 's'} at ${formatMemoryReference({ space, address: location.address })}`, accessTypes, canPersist: true };
        return;
      }
      if (scope?.kind === 'locals') {
        const frame = (await this.session.framesOf(scope.vcpu))[(scope as { frame?: number }).frame ?? 0];
        const local = frame ? (await frameLocals(frame, scope.vcpu, this.session.symbols, m.memory)).find((l) => l.variable.name === args.name) : undefined;
        if (local?.place.kind !== 'memory') {
          response.body = { dataId: null, description: `${args.name} is not in memory here (${local?.place.kind ?? 'not found'})` };
          return;
        }
        const length = args.bytes ?? local.place.byteSize ?? 1;
        const at = await inSpace(m, scope.vcpu, { space: 'virtual', address: local.place.address }, physical);
        response.body = { dataId: dataIdOf(at.space, execute, at.address, length, args.name), description: `local ${args.name} (${length} bytes at ${formatMemoryReference(at)})`, accessTypes, canPersist: false };
        return;
      }
      if (scope && scope.kind !== 'globals') {
        response.body = { dataId: null, description: `${args.name} is a register, not memory` };
        return;
      }
      const vcpu = scope?.vcpu ?? m.currentVcpu;
      const result = await m.evaluate(vcpu, args.name);
      if (!result.location) {
        response.body = { dataId: null, description: `"${args.name}" is not stored in memory` };
        return;
      }
      const length = args.bytes ?? result.size;
      const at = await inSpace(m, vcpu, result.location, physical);
      response.body = {
        dataId: dataIdOf(at.space, execute, at.address, length, args.name),
        description: `${args.name} (${length} bytes at ${formatMemoryReference(at)})`,
        accessTypes, canPersist: false,
      };
    });
  }

  async setDataBreakpoints(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): Promise<void> {
    await this.session.run(response, async (m) => {
      const specs: WatchpointSpec[] = [];
      const invalid = new Map<number, string>();
      args.breakpoints.forEach((bp, i) => {
        try {
          const id = parseDataId(bp.dataId);
          specs.push({ origin: 'data', address: id.address, length: id.length, space: id.space, label: id.label,
            access: id.execute ? 'execute' : DATA_ACCESS[bp.accessType ?? 'write'] ?? 'write',
            condition: bp.condition, hitCondition: bp.hitCondition });
        } catch (error) { invalid.set(i, (error as Error).message); }
      });
      const results = await m.watchpoints.replace('data', specs, m.currentVcpu);
      let j = 0;
      response.body = { breakpoints: args.breakpoints.map((_, i) => invalid.has(i) ? { verified: false, message: invalid.get(i) } : describeResult(results[j++])) };
    });
  }

  async custom(command: string, response: DebugProtocol.Response, args: unknown): Promise<void> {
    await this.session.run(response, async (m) => {
      switch (command) {
        case CustomRequest.addWatchpoint: {
          const a = args as AddWatchpointArguments;
          const specs = this.customSpecs(a);
          const added: Watchpoint[] = [];
          for (const spec of specs) added.push(await m.watchpoints.add(spec, m.currentVcpu));
          response.body = { watchpoints: added.map(describeWatchpoint) };
          return;
        }
        case CustomRequest.removeWatchpoint:
          response.body = { removed: await m.watchpoints.remove((args as RemoveWatchpointArguments).id) };
          return;
        case CustomRequest.listWatchpoints:
          response.body = { watchpoints: m.watchpoints.table.all.filter((w) => w.origin !== 'stepReturn').map(describeWatchpoint) };
          return;
        case CustomRequest.statistics:
          response.body = {
            filteredAccesses: m.control.filteredAccesses,
            filteredByAccess: { ...m.control.filteredByAccess },
            restrictedFrames: [...m.watchpoints.table.restrictedFrames()].map(([f, a]) => ({ frame: `0x${f.toString(16)}`, access: pageAccessText(a) })),
          };
          return;
        default:
          throw new Error(`unknown request "${command}"`);
      }
    });
  }

  private customSpecs(a: AddWatchpointArguments): WatchpointSpec[] {
    const base = { origin: 'custom' as const, access: a.access ?? 'write', condition: a.condition, hitCondition: a.hitCondition, logMessage: a.logMessage };
    if (a.symbol) {
      const sym = this.session.symbols.lookup(a.symbol);
      if (!sym) throw new Error(`no symbol named "${a.symbol}"`);
      return [{ ...base, address: sym.address, length: a.size ?? sym.size, space: 'virtual', label: a.symbol }];
    }
    if (a.address) {
      if (!a.size) throw new Error('"size" is required with "address"');
      const loc = parseMemoryReference(a.address);
      return [{ ...base, address: loc.address, length: a.size, space: loc.space, label: formatMemoryReference(loc) }];
    }
    if (a.source && a.line) {
      const vars = this.session.symbols.debugInfo?.hasDwarf ? this.session.symbols.debugInfo.program.variablesDeclaredAt(a.source, a.line) : [];
      const fixed = vars.filter((v) => v.address !== undefined);
      if (!fixed.length) throw new Error(`no global or static variable is declared at ${basename(a.source)}:${a.line}`);
      return fixed.map((v) => ({ ...base, address: v.address!, length: a.size ?? v.byteSize ?? 1, space: 'virtual' as const, label: v.name }));
    }
    throw new Error('name the memory with "symbol", "address" and "size", or "source" and "line"');
  }
}

/** The location in the requested breakpoint mode: guest-physical mode translates a virtual address now. */
async function inSpace(m: Machine, vcpu: number, location: MemoryLocation, physical: boolean): Promise<MemoryLocation> {
  if (!physical || location.space === 'physical') return location;
  const gpa = await m.memory.translate(vcpu, location.address);
  if (gpa === undefined) throw new Error(`0x${location.address.toString(16)} is not mapped, so it has no guest-physical address`);
  return { space: 'physical', address: gpa };
}

/** Resolves a client path against the DWARF line table: full path, then shorter path suffixes. */
function resolveLine(lines: NonNullable<KvmiDebugSession['symbols']['debugInfo']>['lines'], path: string, line: number): { line: number; address: bigint } | undefined {
  const parts = path.split(/[\\/]/).filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const r = lines.resolveBreakpoint(i === 0 ? path : parts.slice(i).join('/'), line);
    if (r && r.addresses.length) return { line: r.line, address: r.addresses[0] };
  }
  return undefined;
}

function describeResult(r: Watchpoint | Error): DebugProtocol.Breakpoint {
  if (r instanceof Error) return { verified: false, message: r.message };
  const frames = [...new Set(r.pieces.map((p) => p.gpa & ~(PAGE_SIZE - 1n)))];
  return { id: r.id, verified: true, message: `${r.access} watch on ${r.length} byte(s), frame${frames.length > 1 ? 's' : ''} ${frames.map((f) => `0x${f.toString(16)}`).join(', ')}`, instructionReference: r.access === 'execute' ? `0x${r.address.toString(16)}` : undefined };
}

function describeWatchpoint(w: Watchpoint): WatchpointDescription {
  return {
    id: w.id, label: w.label, address: formatMemoryReference({ space: w.space, address: w.address }), size: w.length, access: w.access, hits: w.hits,
    frames: [...new Set(w.pieces.map((p) => `0x${(p.gpa & ~(PAGE_SIZE - 1n)).toString(16)}`))],
    condition: w.condition, hitCondition: w.hitCondition, logMessage: w.logMessage,
  };
}
