// Which guest ELF a watch command resolves names and lines against: the running kvmi session's guest,
// else the guests named by the workspace's kvmi launch configurations, else the x86 ELFs of the
// workspace; those whose debug info knows the file or symbol first; the user picks among several.
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { findWorkspaceGuests } from '../workspaceGuests';

export class NoGuestElfError extends Error {
  constructor() {
    super('No guest ELF to resolve the watchpoint against: add a kvmi launch configuration with "guest", or put the guest\'s .elf file in the workspace.');
    this.name = 'NoGuestElfError';
  }
}

export function activeKvmiSession(): vscode.DebugSession | undefined {
  const session = vscode.debug.activeDebugSession;
  return session?.type === 'kvmi' ? session : undefined;
}

function launchJsonGuests(folder: vscode.WorkspaceFolder): string[] {
  const configurations = vscode.workspace.getConfiguration('launch', folder).get<vscode.DebugConfiguration[]>('configurations', []);
  return configurations
    .filter((c) => c.type === 'kvmi' && typeof c.guest === 'string' && !c.guest.includes('${command:'))
    .map((c) => (c.guest as string).replace(/\$\{workspaceFolder\}/g, folder.uri.fsPath))
    .map((path) => (isAbsolute(path) ? path : join(folder.uri.fsPath, path)))
    .filter((path) => existsSync(path));
}

/**
 * The guest ELF's absolute path; undefined when the user dismissed the choice. `knows` narrows several
 * candidates to those whose debug info has what the command needs (the source file, the symbol).
 */
export async function chooseGuestElf(knows: (elfPath: string) => boolean = () => true): Promise<string | undefined> {
  const session = activeKvmiSession();
  if (typeof session?.configuration.guest === 'string') return session.configuration.guest;
  const candidates = new Set<string>();
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    launchJsonGuests(folder).forEach((path) => candidates.add(path));
  }
  if (candidates.size === 0) {
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      (await findWorkspaceGuests(folder)).forEach((relative) => candidates.add(join(folder.uri.fsPath, relative)));
    }
  }
  let list = [...candidates];
  if (list.length === 0) throw new NoGuestElfError();
  const knowing = list.filter((path) => { try { return knows(path); } catch { return false; } });
  if (knowing.length > 0) list = knowing;
  if (list.length === 1) return list[0];
  return vscode.window.showQuickPick(list, { title: 'Guest ELF the watchpoint belongs to' });
}
