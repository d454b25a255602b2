// Offers one launch configuration per x86 ELF file of the workspace folder, so the guest programs show
// up in "Run and Debug" without a launch.json (DebugConfigurationProviderTriggerKind.Dynamic).
import * as vscode from 'vscode';
import { findWorkspaceGuests, launchConfigurationFor } from './workspaceGuests';

export class DynamicConfigurationProvider implements vscode.DebugConfigurationProvider {
  async provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined): Promise<vscode.DebugConfiguration[]> {
    const folders = folder ? [folder] : vscode.workspace.workspaceFolders ?? [];
    const perFolder = await Promise.all(folders.map(async (f) => (await findWorkspaceGuests(f)).map(launchConfigurationFor)));
    return perFolder.flat();
  }
}
