// The watch commands: "Watch writes/reads/execution of the memory this line touches" (line-number
// context menu), "Watch symbol under cursor" and "Watch address range...". Each resolves to guest
// ranges through the guest's debug info (watchTargets.ts), lets the user pick when there are several,
// stores the watchpoint and, when a kvmi session runs, sends it with kvmi/addWatchpoint.
import { statSync } from 'node:fs';
import * as vscode from 'vscode';
import type { WatchAccess } from '../configurationTypes';
import { activeKvmiSession, chooseGuestElf } from './guestElf';
import type { SessionWatchpoints } from './sessionWatchpoints';
import { accessWords, formatAddress, type StoredWatchpoint } from './storedWatchpoint';
import { debugInfoFor, hasCodeAt, targetsForSymbol, targetsOnLine, WatchTargetError, type WatchTarget } from './watchTargets';
import type { WatchpointStore } from './watchpointStore';

/** What VS Code passes to editor/lineNumber/context commands; tests pass the same shape. */
export interface LineArgument { uri: vscode.Uri; lineNumber: number }
export interface SymbolArgument { symbol?: string; pointee?: boolean; access?: WatchAccess }
export interface RangeArgument { address: string; size: number; access?: WatchAccess }

export class WatchCommands {
  constructor(private readonly store: WatchpointStore, private readonly sessions: SessionWatchpoints) {}

  register(): vscode.Disposable[] {
    const run = <A>(body: (arg: A) => Promise<StoredWatchpoint[]>) => async (arg: A) => {
      try {
        return await body(arg);
      } catch (error) {
        void vscode.window.showErrorMessage(`Cannot set the watchpoint: ${(error as Error).message}`);
        if (!(error instanceof WatchTargetError)) console.error(error);
        return [];
      }
    };
    return [
      vscode.commands.registerCommand('kvmi.watchLineWrites', run((a: LineArgument | undefined) => this.watchLine(a, 'write'))),
      vscode.commands.registerCommand('kvmi.watchLineReads', run((a: LineArgument | undefined) => this.watchLine(a, 'read'))),
      vscode.commands.registerCommand('kvmi.watchLineExecution', run((a: LineArgument | undefined) => this.watchLine(a, 'execute'))),
      vscode.commands.registerCommand('kvmi.watchSymbol', run((a: SymbolArgument | undefined) => this.watchSymbol(a))),
      vscode.commands.registerCommand('kvmi.watchAddressRange', run((a: RangeArgument | undefined) => this.watchRange(a))),
    ];
  }

  private async watchLine(arg: LineArgument | undefined, access: WatchAccess): Promise<StoredWatchpoint[]> {
    const editor = vscode.window.activeTextEditor;
    const uri = arg?.uri ?? editor?.document.uri;
    const line = arg?.lineNumber ?? (editor ? editor.selection.active.line + 1 : undefined);
    if (!uri || line === undefined) throw new WatchTargetError('open a guest source file first');
    const guest = await chooseGuestElf((elf) => hasCodeAt(debugInfoFor(elf, statSync(elf).mtimeMs), uri.fsPath, line));
    if (!guest) return [];
    const targets = targetsOnLine(debugInfoFor(guest, statSync(guest).mtimeMs), uri.fsPath, line, access);
    const chosen = await this.pick(targets, `${accessWords[access]} of line ${line}`);
    return this.addAll(chosen, access, guest, { path: uri.fsPath, line });
  }

  private async watchSymbol(arg: SymbolArgument | undefined): Promise<StoredWatchpoint[]> {
    const editor = vscode.window.activeTextEditor;
    let name = arg?.symbol;
    if (!name && editor) {
      const range = editor.document.getWordRangeAtPosition(editor.selection.active, /[A-Za-z_][A-Za-z0-9_]*/);
      name = range ? editor.document.getText(range) : undefined;
    }
    if (!name) throw new WatchTargetError('put the cursor on a variable name');
    const symbol = name;
    const guest = await chooseGuestElf((elf) => targetsForSymbol(debugInfoFor(elf, statSync(elf).mtimeMs), symbol).length > 0);
    if (!guest) return [];
    const [target] = targetsForSymbol(debugInfoFor(guest, statSync(guest).mtimeMs), name);
    const candidates = [target];
    const pointee = target.pointee ? await this.pointeeTarget(name, target.pointee) : undefined;
    if (pointee) candidates.push(pointee);
    const chosen = arg?.pointee !== undefined
      ? [arg.pointee ? pointee : target].filter((t): t is WatchTarget => t !== undefined)
      : await this.pick(candidates, name);
    if (arg?.pointee && !pointee) throw new WatchTargetError(`*${name} needs a paused kvmi session to read the pointer`);
    const access = arg?.access ?? (target.touchedBy === 'execute' ? 'execute' : 'write');
    return this.addAll(chosen, access, guest, undefined);
  }

  private async watchRange(arg: RangeArgument | undefined): Promise<StoredWatchpoint[]> {
    const address = arg?.address ?? await vscode.window.showInputBox({
      title: 'Watch address range', prompt: 'Guest-virtual address of the first byte', placeHolder: '0xffffffff81000000',
      validateInput: (v) => (/^(0x[0-9a-f]+|[0-9]+)$/i.test(v.trim()) ? undefined : 'a hex ("0x...") or decimal address'),
    });
    if (!address) return [];
    const sizeText = arg ? String(arg.size) : await vscode.window.showInputBox({
      title: 'Watch address range', prompt: 'Number of bytes', value: '8',
      validateInput: (v) => (/^[1-9][0-9]*$/.test(v.trim()) ? undefined : 'a whole number of bytes, at least 1'),
    });
    if (!sizeText) return [];
    const access = arg ? (arg.access ?? 'write') : (await vscode.window.showQuickPick(
      (['write', 'read', 'readWrite', 'execute'] as WatchAccess[]).map((a) => ({ label: accessWords[a], access: a })),
      { title: 'Stop on' }))?.access;
    if (!access) return [];
    const start = BigInt(address.trim());
    const target: WatchTarget = { label: formatAddress(start), address: start, size: Number(sizeText) };
    return this.addAll([target], access, activeKvmiSession()?.configuration.guest as string | undefined, undefined);
  }

  /** The object a pointer variable points at, read from the paused session; undefined without one. */
  private async pointeeTarget(name: string, pointee: { label: string; size: number }): Promise<WatchTarget | undefined> {
    const session = activeKvmiSession();
    if (!session) return undefined;
    const frame = vscode.debug.activeStackItem;
    const frameId = frame && 'frameId' in frame ? frame.frameId : undefined;
    try {
      const result = await session.customRequest('evaluate', { expression: name, frameId, context: 'watch' }) as { memoryReference?: string };
      if (!result.memoryReference || !/^0x[0-9a-f]+$/i.test(result.memoryReference)) return undefined;
      const address = BigInt(result.memoryReference);
      if (address === 0n) return undefined; // a null pointer points at nothing yet
      return { label: pointee.label, address, size: pointee.size };
    } catch {
      return undefined; // not paused: the pointer's value cannot be read
    }
  }

  private async pick(targets: WatchTarget[], what: string): Promise<WatchTarget[]> {
    if (targets.length <= 1) return targets;
    const items = targets.map((t) => ({
      label: t.label, description: `${formatAddress(t.address)}, ${t.size} byte${t.size === 1 ? '' : 's'}`,
      detail: t.touchedBy ? `the line ${t.touchedBy === 'readWrite' ? 'reads and writes' : `${t.touchedBy}s`} it` : undefined, target: t,
    }));
    const picked = await vscode.window.showQuickPick(items, { title: `Watch ${what}: which memory?`, canPickMany: true });
    return (picked ?? []).map((p) => p.target);
  }

  private async addAll(targets: WatchTarget[], access: WatchAccess, guest: string | undefined,
    source: { path: string; line: number } | undefined): Promise<StoredWatchpoint[]> {
    const added: StoredWatchpoint[] = [];
    const session = activeKvmiSession();
    for (const t of targets) {
      const stored = await this.store.add({ label: t.label, address: formatAddress(t.address), size: t.size, access, guest, source });
      if (session && stored.adapterId === undefined) {
        try {
          await this.sessions.addToSession(session, stored);
        } catch (error) {
          await this.store.remove(stored.key);
          throw new WatchTargetError(`the debugger refused ${t.label}: ${(error as Error).message}`);
        }
      }
      added.push(this.store.find(stored.key) ?? stored);
    }
    return added;
  }
}
