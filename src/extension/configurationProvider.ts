// The kvmi DebugConfigurationProvider: offers the initial launch.json entries, turns an empty
// configuration (F5 without launch.json) into a launch of a workspace guest, and checks every
// configuration after VS Code substituted its variables, refusing bad ones with a message that says
// what to fix, before the debug adapter starts. The workspace's stored watchpoints are added to the
// launch's `watchpoints` attribute.
import * as vscode from 'vscode';
import { InvalidConfigurationError } from './configurationErrors';
import { validateConfiguration } from './validate';
import { validateWatchpoints } from './watchpoints';
import { noGuestMessage, pickWorkspaceGuest } from './pickGuest';

export type RejectionReporter = (message: string) => void;

/** Watchpoints the workspace keeps (Watchpoints view) that a launch of `guest` should carry. */
export type StoredWatchpointSource = (guest: string | undefined) => unknown[];

/** Shows the rejection as an error notification with a shortcut to launch.json. */
export const notifyRejection: RejectionReporter = (message) => {
  void vscode.window.showErrorMessage(message, 'Open launch.json').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.action.debug.configure');
  });
};

export class ConfigurationProvider implements vscode.DebugConfigurationProvider {
  constructor(
    private readonly initialConfigurations: readonly vscode.DebugConfiguration[],
    private readonly reportRejection: RejectionReporter = notifyRejection,
    private readonly storedWatchpoints: StoredWatchpointSource = () => [],
  ) {}

  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return this.initialConfigurations.map((configuration) => ({ ...configuration }));
  }

  async resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined> {
    if (config.type || config.request || config.name) return config;
    const choice = await pickWorkspaceGuest(folder);
    if (choice.kind === 'none-found') this.reportRejection(noGuestMessage);
    if (choice.kind !== 'chosen') return undefined;
    return { type: 'kvmi', request: 'launch', name: 'KVMI: launch guest', guest: choice.path, stopOnEntry: true };
  }

  resolveDebugConfigurationWithSubstitutedVariables(folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    try {
      const validated = validateConfiguration(config, { baseDirectory: folder?.uri.fsPath });
      const stored = validateWatchpoints(this.storedWatchpoints(validated.guest))
        .filter((s) => !validated.watchpoints.some((w) => 'address' in w && 'address' in s && BigInt(w.address) === BigInt(s.address) && w.size === s.size && w.access === s.access));
      return { ...validated, watchpoints: [...validated.watchpoints, ...stored] };
    } catch (error) {
      if (!(error instanceof InvalidConfigurationError)) throw error;
      this.reportRejection(error.message);
      return undefined; // aborts the launch; the adapter never starts
    }
  }
}
