// Chooses a guest ELF of the workspace: the only one if there is one, else through a quick pick. Backs
// the "kvmi.pickGuest" command, usable in launch.json as "guest": "${command:kvmi.pickGuest}".
import * as vscode from 'vscode';
import { findWorkspaceGuests } from './workspaceGuests';

/** The absolute path of the chosen guest, or undefined when there is none or the user cancelled. */
export async function pickWorkspaceGuest(folder?: vscode.WorkspaceFolder): Promise<string | undefined> {
  const folders = folder ? [folder] : vscode.workspace.workspaceFolders ?? [];
  const candidates = (await Promise.all(folders.map(async (f) =>
    (await findWorkspaceGuests(f)).map((relative) => ({ label: relative, path: vscode.Uri.joinPath(f.uri, relative).fsPath }))))).flat();
  if (candidates.length <= 1) return candidates[0]?.path;
  const choice = await vscode.window.showQuickPick(candidates, { placeHolder: 'x86 guest program to debug' });
  return choice?.path;
}
