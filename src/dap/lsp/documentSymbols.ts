// Outline of a guest source file: the functions and global/static variables its DWARF says are
// declared there (DW_AT_decl_file / DW_AT_decl_line, DWARF 5 §2.14), with their addresses.
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import { hex } from './addresses';
import type { GuestMatch } from './guestCatalog';

export function documentSymbols(matches: readonly GuestMatch[]): DocumentSymbol[] {
  const primary = matches[0];
  if (!primary) return [];
  return primary.guest.declarationsIn(primary.recordedPath)
    .filter((d) => d.declLine !== undefined && d.declLine > 0)
    .map((d) => {
      const line = d.declLine! - 1;
      const range = { start: { line, character: 0 }, end: { line, character: 0 } };
      return {
        name: d.name,
        detail: `${hex(d.address)}, ${d.size} bytes${d.typeName ? `, ${d.typeName}` : ''}`,
        kind: d.kind === 'function' ? SymbolKind.Function : SymbolKind.Variable,
        range, selectionRange: range,
      };
    });
}
