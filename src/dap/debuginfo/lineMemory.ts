// "Which memory does this source line touch": the line table gives the instruction ranges of a
// line; each instruction is decoded with iced-x86 and its RIP-relative or absolute memory operands
// (Intel SDM Vol. 2A section 2.2.1.6 "RIP-Relative Addressing") are matched against the address
// ranges of global/static variables (or object symbols), so an editor can offer write watchpoints.
import { Decoder, DecoderOptions, InstructionInfoFactory, MemorySizeExt, OpAccess, Register } from 'iced-x86';
import type { DebugInfo } from './debugInfo';
import type { VariableInfo } from './dwarf/programModel';

export type MemoryAccessKind = 'read' | 'write' | 'readWrite';

export interface LineMemoryAccess {
  /** Variable (or, without DWARF for it, object symbol) name. */
  name: string;
  /** Start and size of the whole variable: what a watchpoint should cover. */
  address: bigint;
  byteSize: number;
  /** The instruction and the exact bytes it accesses. */
  instructionAddress: bigint;
  accessAddress: bigint;
  accessSize: number;
  access: MemoryAccessKind;
  variable: VariableInfo | undefined;
}

function accessKind(access: OpAccess): MemoryAccessKind | undefined {
  switch (access) {
    case OpAccess.Read: case OpAccess.CondRead: return 'read';
    case OpAccess.Write: case OpAccess.CondWrite: return 'write';
    case OpAccess.ReadWrite: case OpAccess.ReadCondWrite: return 'readWrite';
    default: return undefined; // lea and friends compute an address without touching memory
  }
}

/** Every static-storage access made by the instructions of (path, line), in address order. */
export function memoryTouchedByLine(info: DebugInfo, path: string, line: number): LineMemoryAccess[] {
  const bitness = info.architecture === 'x86_64' ? 64 : 32;
  const mask = bitness === 64 ? 0xffffffffffffffffn : 0xffffffffn;
  const out: LineMemoryAccess[] = [];
  const spans = info.lines.spansForLine(path, line).sort((a, b) => (a.low < b.low ? -1 : 1));
  const factory = new InstructionInfoFactory();
  try {
    for (const span of spans) {
      const code = info.imageBytes(span.low, Number(span.high - span.low));
      if (!code || code.length === 0) continue;
      const decoder = new Decoder(bitness, code, DecoderOptions.None);
      decoder.ip = span.low;
      try {
        while (decoder.canDecode) {
          const instruction = decoder.decode();
          for (const used of factory.info(instruction).usedMemory()) {
            const kind = accessKind(used.access);
            // iced reports RIP-relative operands already resolved: base and index None, absolute displacement.
            if (kind && used.base === Register.None && used.index === Register.None) {
              const hit = resolve(info, used.displacement & mask);
              if (hit) out.push({ ...hit, instructionAddress: instruction.ip, accessAddress: used.displacement & mask,
                accessSize: MemorySizeExt.size(used.memorySize), access: kind });
            }
            used.free();
          }
          instruction.free();
        }
      } finally {
        decoder.free();
      }
    }
  } finally {
    factory.free();
  }
  return out;
}

/** The variables a line touches, one entry each, with reads and writes merged. */
export function variablesTouchedByLine(info: DebugInfo, path: string, line: number): LineMemoryAccess[] {
  const byStart = new Map<bigint, LineMemoryAccess>();
  for (const a of memoryTouchedByLine(info, path, line)) {
    const seen = byStart.get(a.address);
    if (!seen) byStart.set(a.address, a);
    else if (seen.access !== a.access) seen.access = 'readWrite';
  }
  return [...byStart.values()];
}

function resolve(info: DebugInfo, address: bigint): Pick<LineMemoryAccess, 'name' | 'address' | 'byteSize' | 'variable'> | undefined {
  const variable = info.hasDwarf ? info.program.globalAt(address) : undefined;
  if (variable?.address !== undefined) {
    return { name: variable.name, address: variable.address, byteSize: variable.byteSize ?? 1, variable };
  }
  const symbol = info.symbols.lookupAddress(address)?.symbol;
  if (symbol && (symbol.type === 'object' || symbol.type === 'notype')) {
    return { name: symbol.name, address: symbol.value, byteSize: symbol.size, variable: undefined };
  }
  return undefined;
}
