// Which guest object a name in an editor file denotes: the guests built from that file (the
// running session's guest first), and in each the declaration of that name, preferring one
// declared in this very file (file statics share names across files), then a global, then the
// raw ELF symbol when DWARF does not describe it.
import type { ElfSymbol } from '../debuginfo/index';
import type { GuestCatalog, GuestMatch } from './guestCatalog';
import type { GuestDeclaration, GuestImage } from './guestImage';
import type { LiveSession } from './liveSession';

export interface ResolvedSymbol {
  guest: GuestImage;
  declaration: GuestDeclaration;
}

/** Guests built from `localPath`, the session's guest first; none for a file no guest was built from. */
export function guestsForFile(catalog: GuestCatalog, live: LiveSession, localPath: string): GuestMatch[] {
  const matches = catalog.guestsBuiltFrom(localPath);
  const session = live.guest;
  return session === undefined ? matches : [...matches].sort((a, b) => Number(b.guest.path === session) - Number(a.guest.path === session));
}

export function resolveName(matches: readonly GuestMatch[], name: string): ResolvedSymbol[] {
  const out: ResolvedSymbol[] = [];
  for (const { guest, recordedPath } of matches) {
    const declared = guest.declarationsNamed(name);
    const chosen = declared.find((d) => d.declFile === recordedPath)
      ?? declared.find((d) => d.scope === 'global') ?? declared[0];
    if (chosen) { out.push({ guest, declaration: chosen }); continue; }
    const symbol = guest.info.symbols.lookupName(name);
    if (symbol) out.push({ guest, declaration: fromElfSymbol(symbol) });
  }
  return out;
}

export function fromElfSymbol(symbol: ElfSymbol): GuestDeclaration {
  return {
    name: symbol.name, kind: symbol.type === 'func' || symbol.type === 'ifunc' ? 'function' : 'variable',
    scope: symbol.binding === 'local' ? 'static' : 'global', address: symbol.value, size: symbol.size,
    typeName: undefined, declFile: undefined, declLine: undefined,
  };
}
