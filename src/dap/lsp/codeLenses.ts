// Code lenses above each function and global/static variable declared in a guest source file:
// "Watch writes", "Watch reads", "Watch execution" (the extension's kvmi.watch.* commands), and,
// while a session runs, the hit count of each active watchpoint on that object.
import type { CodeLens } from 'vscode-languageserver';
import { hex } from './addresses';
import type { GuestMatch } from './guestCatalog';
import type { GuestDeclaration } from './guestImage';
import type { LiveSession } from './liveSession';
import { watchCommands, type WatchAccess, type WatchCommandArguments } from './protocol';

const lensKinds: ReadonlyArray<{ title: string; command: string; access: WatchAccess }> = [
  { title: 'Watch writes', command: watchCommands.writes, access: 'write' },
  { title: 'Watch reads', command: watchCommands.reads, access: 'read' },
  { title: 'Watch execution', command: watchCommands.execution, access: 'execute' },
];

/** Lenses for the primary guest built from the file at `path` (the first of `matches`). */
export function codeLensesFor(matches: readonly GuestMatch[], live: LiveSession, lineText: (line: number) => string, path: string): CodeLens[] {
  const primary = matches[0];
  if (!primary) return [];
  const { guest, recordedPath } = primary;
  const lenses: CodeLens[] = [];
  const live_ = live.guest === guest.path;
  for (const d of guest.declarationsIn(recordedPath)) {
    if (d.declLine === undefined || d.declLine < 1) continue;
    const line = d.declLine - 1;
    const range = nameRange(lineText(line), line, d);
    for (const kind of lensKinds) {
      const args: WatchCommandArguments = { symbol: d.name, address: hex(d.address), size: Math.max(d.size, 1), access: kind.access, guest: guest.path,
        source: { path, line: d.declLine } };
      lenses.push({ range, command: { title: kind.title, command: kind.command, arguments: [args] } });
    }
    if (!live_) continue;
    for (const w of live.watchpointsOn(d.address, d.size)) {
      lenses.push({ range, command: { title: `${w.access} watchpoint: ${w.hitCount} hit${w.hitCount === 1 ? '' : 's'}`, command: '' } });
    }
  }
  return lenses;
}

/** The declared name on its line (columns of the first whole-word occurrence), else the line start. */
function nameRange(text: string, line: number, d: GuestDeclaration): CodeLens['range'] {
  const match = new RegExp(`(^|[^A-Za-z0-9_])${d.name.replace(/\$/g, '\\$')}(?![A-Za-z0-9_])`).exec(text);
  const start = match ? match.index + match[1].length : 0;
  return { start: { line, character: start }, end: { line, character: match ? start + d.name.length : 0 } };
}
