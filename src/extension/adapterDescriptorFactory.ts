// Runs the bundled debug adapter (dist/debugAdapter.js) as a separate Node program speaking DAP on
// stdio. VS Code's own executable is Electron (or Node, in the VS Code server); ELECTRON_RUN_AS_NODE
// makes Electron behave as plain Node, so no separate Node installation is needed.
import * as vscode from 'vscode';

export class AdapterDescriptorFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly adapterScript: string) {}

  createDebugAdapterDescriptor(): vscode.DebugAdapterDescriptor {
    return new vscode.DebugAdapterExecutable(process.execPath, [this.adapterScript], {
      env: { ELECTRON_RUN_AS_NODE: '1' },
    });
  }
}
