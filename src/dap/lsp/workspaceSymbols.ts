// Workspace symbol search over the ELF symbol tables of all guests: by name (substring,
// case-insensitive) or by address ("0x101040" -> the symbol containing it, "main+0x40", gABI
// "Symbol Table"). Each result points at its DWARF declaration, or for a code address at the
// source line of that address, or else at the ELF file itself.
import { pathToFileURL } from 'node:url';
import { SymbolKind, type SymbolInformation } from 'vscode-languageserver';
import type { ElfSymbol } from '../debuginfo/index';
import { hex, parseAddressQuery } from './addresses';
import type { GuestImage } from './guestImage';

const perGuestLimit = 200;

export function workspaceSymbols(guests: readonly GuestImage[], query: string): SymbolInformation[] {
  const address = parseAddressQuery(query);
  const out: SymbolInformation[] = [];
  for (const guest of guests) {
    if (address !== undefined) {
      const hit = guest.info.symbols.lookupAddress(address);
      if (hit) out.push(information(guest, hit.symbol, hit.label, address));
      continue;
    }
    for (const symbol of guest.searchSymbols(query.trim(), perGuestLimit)) out.push(information(guest, symbol, symbol.name, undefined));
  }
  return out;
}

function information(guest: GuestImage, symbol: ElfSymbol, label: string, address: bigint | undefined): SymbolInformation {
  const code = symbol.type === 'func' || symbol.type === 'ifunc';
  return {
    name: label,
    kind: code ? SymbolKind.Function : SymbolKind.Variable,
    containerName: `${guest.name} ${hex(address ?? symbol.value)}${symbol.size ? ` (${symbol.size} bytes)` : ''}`,
    location: locationOf(guest, symbol, code && address !== undefined ? address : undefined),
  };
}

function locationOf(guest: GuestImage, symbol: ElfSymbol, codeAddress: bigint | undefined): SymbolInformation['location'] {
  const at = (path: string, line: number) => ({ uri: pathToFileURL(path).toString(), range: { start: { line, character: 0 }, end: { line, character: 0 } } });
  if (codeAddress !== undefined) {
    const source = guest.lineAt(codeAddress);
    if (source) return at(source.path, source.line - 1);
  }
  const declared = guest.declarationsNamed(symbol.name).find((d) => d.address === symbol.value && d.declFile && d.declLine);
  if (declared) return at(guest.localPathOf(declared.declFile!), declared.declLine! - 1);
  return at(guest.path, 0);
}
