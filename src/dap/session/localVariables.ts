// The Locals scope of a stack frame: parameters and local variables in scope at the frame's pc
// (DWARF lexical blocks, via the debug-info reader), each located in that frame (memory, register
// or constant) and read through the stopped vCPU. Memory-resident locals carry a memoryReference,
// so they can be watched like globals.
import type { DebugProtocol } from '@vscode/debugprotocol';
import { locateVariable, type VariableInfo, type VariablePlace } from '../debuginfo';
import type { GuestMemory } from '../memory/guestMemory';
import type { GuestSymbols } from './guestSymbols';
import type { GuestFrame } from './stackFrames';

export interface LocatedLocal { variable: VariableInfo; place: VariablePlace }

export async function frameLocals(frame: GuestFrame, vcpu: number, symbols: GuestSymbols, memory: GuestMemory): Promise<LocatedLocal[]> {
  const info = symbols.debugInfo;
  if (!info?.hasDwarf) return [];
  const pc = frame.index > 0 && frame.pc > 0n ? frame.pc - 1n : frame.pc;
  let variables: VariableInfo[];
  try { variables = info.program.variablesInScopeAt(pc).filter((v) => v.scope === 'local' || v.scope === 'parameter'); } catch { return []; }
  const readMemory = (address: bigint, size: 4 | 8) => memory.readUnsigned(vcpu, { space: 'virtual', address }, size).catch(() => undefined);
  const out: LocatedLocal[] = [];
  for (const variable of variables) {
    let place: VariablePlace;
    try { place = await locateVariable(info, variable, { registers: frame.registers, isCaller: frame.index > 0, readMemory }); } catch (error) {
      place = { kind: 'unavailable', reason: (error as Error).message };
    }
    out.push({ variable, place });
  }
  return out;
}

export async function localVariables(locals: LocatedLocal[], frame: GuestFrame, vcpu: number, memory: GuestMemory): Promise<DebugProtocol.Variable[]> {
  const out: DebugProtocol.Variable[] = [];
  for (const { variable, place } of locals) {
    const v: DebugProtocol.Variable = { name: variable.name, value: '', type: variable.type?.name, variablesReference: 0 };
    switch (place.kind) {
      case 'memory': {
        const size = place.byteSize ?? 0;
        v.memoryReference = `0x${place.address.toString(16)}`;
        v.value = size === 1 || size === 2 || size === 4 || size === 8
          ? await memory.readUnsigned(vcpu, { space: 'virtual', address: place.address }, size).then((x) => `0x${x.toString(16)}`, () => '<unreadable>')
          : `{${size} bytes at ${v.memoryReference}}`;
        break;
      }
      case 'register': {
        const value = frame.registers[place.register];
        v.value = value === undefined ? `<in ${place.register}, unknown in this frame>` : `0x${value.toString(16)} (in ${place.register})`;
        break;
      }
      case 'constant':
        v.value = typeof place.value === 'bigint' ? `0x${place.value.toString(16)}` : `{${place.value.length} bytes}`;
        break;
      case 'unavailable':
        v.value = `<${place.reason}>`;
        break;
    }
    out.push(v);
  }
  return out;
}
