// Chooses a guest ELF of the workspace: the only one if there is one, else through a quick pick. Backs
// the "kvmi.pickGuest" command, usable in launch.json as "guest": "${command:kvmi.pickGuest}", and the
// launch of F5 without a launch.json.
import * as vscode from 'vscode';
import { findWorkspaceGuests } from './workspaceGuests';

export type GuestChoice = { kind: 'chosen'; path: string } | { kind: 'none-found' } | { kind: 'cancelled' };

export const noGuestMessage = 'KVMI: the workspace has no x86 ELF file (*.elf) to debug; build the guest, or set "guest" in launch.json to its path.';

export async function pickWorkspaceGuest(folder?: vscode.WorkspaceFolder): Promise<GuestChoice> {
  const folders = folder ? [folder] : vscode.workspace.workspaceFolders ?? [];
  const candidates = (await Promise.all(folders.map(async (f) =>
    (await findWorkspaceGuests(f)).map((relative) => ({ label: relative, path: vscode.Uri.joinPath(f.uri, relative).fsPath }))))).flat();
  if (candidates.length === 0) return { kind: 'none-found' };
  if (candidates.length === 1) return { kind: 'chosen', path: candidates[0].path };
  const choice = await vscode.window.showQuickPick(candidates, { placeHolder: 'x86 guest program to debug' });
  return choice ? { kind: 'chosen', path: choice.path } : { kind: 'cancelled' };
}

/** The kvmi.pickGuest command: the chosen guest's absolute path; undefined cancels the launch. */
export async function pickGuestCommand(): Promise<string | undefined> {
  const choice = await pickWorkspaceGuest();
  if (choice.kind === 'none-found') void vscode.window.showWarningMessage(noGuestMessage);
  return choice.kind === 'chosen' ? choice.path : undefined;
}
