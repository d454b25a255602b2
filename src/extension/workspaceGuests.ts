// Finds the guest programs of a workspace folder: the *.elf files whose ELF header says x86 or x86-64.
// Used by the dynamic launch configurations and by the "pick a guest" command.
import * as vscode from 'vscode';
import { readElfIdentity, whyNotX86 } from './elfHeader';

export const guestGlob = '**/*.elf';
const excluded = '{**/node_modules/**,**/.git/**}';
const maxFiles = 200;

/** x86 ELF files of `folder`, as paths relative to it with '/' separators, sorted. */
export async function findWorkspaceGuests(folder: vscode.WorkspaceFolder): Promise<string[]> {
  const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, guestGlob), excluded, maxFiles);
  return uris
    .filter((uri) => uri.scheme === 'file' && isX86Elf(uri.fsPath))
    .map((uri) => vscode.workspace.asRelativePath(uri, false))
    .sort();
}

function isX86Elf(path: string): boolean {
  try {
    const identity = readElfIdentity(path);
    return identity.kind === 'elf' && whyNotX86(identity) === undefined;
  } catch {
    return false; // unreadable files are simply not offered
  }
}

export function launchConfigurationFor(relativePath: string): vscode.DebugConfiguration {
  return {
    type: 'kvmi',
    request: 'launch',
    name: `KVMI: ${relativePath}`,
    guest: `\${workspaceFolder}/${relativePath}`,
    stopOnEntry: true,
  };
}
