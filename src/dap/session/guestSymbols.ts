// The guest program's names as the adapter uses them: symbol -> address/size/type for expressions
// and watchpoints (DWARF globals first, then the ELF symbol table), address -> "function+0x12" and
// source line. Built over the debug-info reader; a guest without an ELF simply has no names.
import { DebugInfo, type SourceLocation, type TypeInfo, type VariableInfo } from '../debuginfo';
import type { SymbolValue } from '../eval/expressionEvaluator';

/** Strips typedefs and qualifiers. */
export function underlyingType(t: TypeInfo | undefined): TypeInfo | undefined {
  let cur = t;
  for (let i = 0; cur && i < 16 && ['typedef', 'const', 'volatile', 'restrict', 'atomic'].includes(cur.kind); i++) cur = cur.target;
  return cur;
}

export class GuestSymbols {
  constructor(readonly debugInfo: DebugInfo | undefined) {}

  static none(): GuestSymbols { return new GuestSymbols(undefined); }

  /** DWARF global/static variables, or none when the guest has no DWARF. */
  globals(): readonly VariableInfo[] {
    if (!this.debugInfo?.hasDwarf) return [];
    try { return this.debugInfo.program.globals; } catch { return []; }
  }

  lookup(name: string): SymbolValue | undefined {
    const global = this.globals().find((g) => g.name === name && g.address !== undefined);
    if (global) {
      const type = underlyingType(global.type);
      const pointee = type?.kind === 'pointer' ? underlyingType(type.target) : undefined;
      return {
        address: global.address!, size: global.byteSize ?? 8, typeName: type?.name,
        pointeeSize: pointee?.byteSize,
      };
    }
    const sym = this.debugInfo?.symbols.lookupName(name);
    if (!sym) return undefined;
    return { address: sym.value, size: sym.size || 8, isCode: sym.type === 'func' || sym.type === 'notype' };
  }

  /** "name+0x12" for an address inside a known symbol. */
  label(address: bigint): string | undefined {
    try { return this.debugInfo?.symbols.lookupAddress(address)?.label; } catch { return undefined; }
  }

  source(address: bigint): SourceLocation | undefined {
    if (!this.debugInfo?.hasDwarf) return undefined;
    try { return this.debugInfo.lines.lookupAddress(address); } catch { return undefined; }
  }

  functionName(address: bigint): string | undefined {
    if (this.debugInfo?.hasDwarf) {
      try { const s = this.debugInfo.program.subprogramAt(address); if (s) return s.name; } catch { /* fall back to ELF symbols */ }
    }
    const hit = this.debugInfo?.symbols.lookupAddress(address);
    return hit?.symbol.name;
  }
}
