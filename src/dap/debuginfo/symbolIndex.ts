// Symbol lookups for the debugger and the language server: by name, by address ("main+0x12"),
// and a name-sorted list for workspace-wide search. Built once: addresses go in a sorted
// SortedAddresses index so an address lookup is a binary search, names in a Map.
import type { ElfSymbol } from './elf/elfSymbols';
import { SortedAddresses } from './sortedAddresses';

/** A symbol found for an address, and how far into it the address lies. */
export class SymbolHit {
  constructor(readonly symbol: ElfSymbol, readonly offset: bigint) {}

  /** `name` or `name+0xOFF`, as debuggers print it. */
  get label(): string {
    return this.offset === 0n ? this.symbol.name : `${this.symbol.name}+0x${this.offset.toString(16)}`;
  }
}

/** Symbols that denote code or data at an address (not files, sections or undefined imports). */
function isAddressable(s: ElfSymbol): boolean {
  return s.name !== '' && s.sectionIndex !== 0 && s.type !== 'file' && s.type !== 'section' && s.type !== 'tls';
}

/** Preference between symbols at the same address: sized, global, function/object first. */
function rank(s: ElfSymbol): number {
  return (s.size > 0 ? 4 : 0) + (s.binding === 'global' ? 2 : s.binding === 'weak' ? 1 : 0)
    + (s.type === 'func' || s.type === 'object' ? 8 : 0) + (s.table === '.symtab' ? 0.5 : 0);
}

export class SymbolIndex {
  private readonly byAddress: ElfSymbol[];
  private readonly starts: SortedAddresses;
  private readonly byName = new Map<string, ElfSymbol[]>();
  private readonly preferred = new Map<string, ElfSymbol>();
  private sortedNames?: ElfSymbol[];
  /** reach[i]: the highest end address among symbols 0..i, so a backwards scan knows when to stop. */
  private readonly reach: BigUint64Array;

  constructor(symbols: readonly ElfSymbol[]) {
    const candidates = symbols.filter(isAddressable);
    const order = sortByAddress(candidates);
    // Drop duplicates (.symtab and .dynsym often list the same name at the same address).
    this.byAddress = [];
    for (let k = 0; k < order.length; k++) {
      const s = candidates[order[k]];
      const last = this.byAddress[this.byAddress.length - 1];
      if (last && last.value === s.value && last.name === s.name) {
        if (rank(s) > rank(last)) this.byAddress[this.byAddress.length - 1] = s;
      } else this.byAddress.push(s);
    }
    this.starts = new SortedAddresses(this.byAddress.map((s) => s.value));
    this.reach = new BigUint64Array(this.byAddress.length);
    let reach = 0n;
    this.byAddress.forEach((s, i) => {
      const end = s.value + BigInt(Math.max(1, s.size));
      if (end > reach) reach = end;
      this.reach[i] = reach;
    });
    for (const s of this.byAddress) {
      const list = this.byName.get(s.name);
      if (list) list.push(s); else this.byName.set(s.name, [s]);
      const best = this.preferred.get(s.name);
      if (!best || rank(s) > rank(best)) this.preferred.set(s.name, s);
    }
  }

  get size(): number { return this.byAddress.length; }

  /** Symbols with exactly this name (several for file-local statics of the same name). */
  byNameAll(name: string): readonly ElfSymbol[] { return this.byName.get(name) ?? []; }

  /** The preferred symbol with this name: global before local. */
  lookupName(name: string): ElfSymbol | undefined {
    return this.preferred.get(name);
  }

  /**
   * The symbol containing `address`: the innermost (highest start) sized symbol with
   * value <= address < value+size, else a zero-sized symbol exactly at the address.
   */
  lookupAddress(address: bigint): SymbolHit | undefined {
    let label: number | undefined;
    for (let i = this.starts.lastAtOrBefore(address); i >= 0 && this.reach[i] > address; i--) {
      const s = this.byAddress[i];
      if (s.size > 0 && contains(s, address)) return hit(this.bestAt(i, address), address);
      if (s.size === 0 && s.value === address) label ??= i;
    }
    // Like gdb: a zero-sized label only names an address no sized symbol covers.
    return label === undefined ? undefined : hit(this.bestAt(label, address), address);
  }

  /** All symbols sorted by name (computed on first use), for workspace symbol search. */
  sortedByName(): readonly ElfSymbol[] {
    this.sortedNames ??= [...this.byAddress].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return this.sortedNames;
  }

  /** Symbols whose name contains `query` (case-insensitive), at most `limit`. */
  search(query: string, limit = 100): ElfSymbol[] {
    const q = query.toLowerCase();
    const out: ElfSymbol[] = [];
    for (const s of this.sortedByName()) {
      if (s.name.toLowerCase().includes(q)) { out.push(s); if (out.length >= limit) break; }
    }
    return out;
  }

  /** Among symbols sharing the start of entry i that contain `address`, the best ranked one. */
  private bestAt(i: number, address: bigint): ElfSymbol {
    const all = this.byAddress;
    let best = all[i];
    const start = best.value;
    let first = i, last = i;
    while (first > 0 && all[first - 1].value === start) first--;
    while (last + 1 < all.length && all[last + 1].value === start) last++;
    for (let j = first; j <= last; j++) if (j !== i && contains(all[j], address) && rank(all[j]) > rank(best)) best = all[j];
    return best;
  }
}

/** A sized symbol covers [value, value+size); a zero-sized one only its own address. */
function contains(s: ElfSymbol, address: bigint): boolean {
  return address >= s.value && (address < s.value + BigInt(s.size) || (s.size === 0 && address === s.value));
}

/**
 * Indexes of `symbols` ordered by address (then name, then rank). Addresses are split into 32-bit
 * halves in typed arrays so the comparator does number, not bigint, arithmetic.
 */
function sortByAddress(symbols: readonly ElfSymbol[]): Int32Array {
  const hi = new Uint32Array(symbols.length), lo = new Uint32Array(symbols.length);
  symbols.forEach((s, i) => { hi[i] = Number(s.value >> 32n); lo[i] = Number(s.value & 0xffffffffn); });
  const order = Int32Array.from(symbols, (_, i) => i);
  return order.sort((a, b) => hi[a] - hi[b] || lo[a] - lo[b]
    || (symbols[a].name < symbols[b].name ? -1 : symbols[a].name > symbols[b].name ? 1 : rank(symbols[a]) - rank(symbols[b])));
}

function hit(symbol: ElfSymbol, address: bigint): SymbolHit {
  return new SymbolHit(symbol, address - symbol.value);
}
