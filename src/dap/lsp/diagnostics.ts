// Warnings the server publishes: a guest ELF older than a source file it was built from (its
// addresses may no longer match the code), and saved watchpoints whose symbol or address no
// longer resolves in the guest's current ELF.
import { statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { parseAddressSetting } from './addresses';
import type { GuestCatalog, GuestMatch } from './guestCatalog';
import type { GuestImage } from './guestImage';
import type { PersistedWatchpoint } from './protocol';

export const diagnosticSource = 'kvmi';

function lineRange(line: number): Diagnostic['range'] {
  return { start: { line, character: 0 }, end: { line, character: 1000 } };
}

/** One warning per guest whose ELF is older (mtime) than the source file at `localPath`. */
export function staleGuestDiagnostics(localPath: string, matches: readonly GuestMatch[]): Diagnostic[] {
  let sourceMtime: number;
  try {
    sourceMtime = statSync(localPath).mtimeMs;
  } catch {
    return [];
  }
  return matches.filter((m) => m.guest.mtimeMs < sourceMtime).map((m) => ({
    range: lineRange(0),
    severity: DiagnosticSeverity.Warning,
    source: diagnosticSource,
    code: 'staleGuest',
    message: `${m.guest.name} is older than this file: addresses may be wrong; rebuild`,
  }));
}

/** Why a saved watchpoint does not resolve in any of its guests, or undefined when it does. */
export function unresolvedReason(w: PersistedWatchpoint, guests: readonly GuestImage[]): string | undefined {
  if (guests.length === 0) return undefined; // nothing loaded to check against
  const names = guests.map((g) => g.name).join(', ');
  if (w.symbol !== undefined) {
    const found = guests.some((g) => g.info.symbols.lookupName(w.symbol!) !== undefined || g.declarationsNamed(w.symbol!).length > 0);
    return found ? undefined : `watchpoint on "${w.symbol}" no longer resolves: ${names} has no symbol "${w.symbol}"`;
  }
  const address = w.address === undefined ? undefined : parseAddressSetting(w.address);
  if (address === undefined) return `watchpoint address "${w.address ?? ''}" is not a number ("0x..." or decimal)`;
  const found = guests.some((g) => g.sectionAt(address) !== undefined);
  return found ? undefined : `watchpoint at ${w.address} no longer resolves: no section of ${names} contains that address`;
}

/** Diagnostics for saved watchpoints, keyed by the URI they are saved in (or the guest ELF's URI). */
export function watchpointDiagnostics(watchpoints: readonly PersistedWatchpoint[], catalog: GuestCatalog): Map<string, Diagnostic[]> {
  const out = new Map<string, Diagnostic[]>();
  for (const w of watchpoints) {
    const guests = w.guest !== undefined ? (catalog.guest(w.guest) ? [catalog.guest(w.guest)!] : []) : catalog.guests();
    const reason = unresolvedReason(w, guests);
    if (!reason) continue;
    const uri = w.savedIn?.uri ?? (w.guest ? pathToFileURL(w.guest).toString() : undefined);
    if (!uri) continue;
    const list = out.get(uri) ?? [];
    list.push({ range: lineRange(w.savedIn?.line ?? 0), severity: DiagnosticSeverity.Warning, source: diagnosticSource, code: 'unresolvedWatchpoint', message: reason });
    out.set(uri, list);
  }
  return out;
}
