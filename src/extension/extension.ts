// Extension entry point: wires the kvmi debug type into VS Code. The adapter itself runs as a
// separate Node program (dist/debugAdapter.js) declared in package.json.
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.debug.registerDebugAdapterDescriptorFactory('kvmi', {
    createDebugAdapterDescriptor: () => new vscode.DebugAdapterExecutable(process.execPath,
      [context.asAbsolutePath('dist/debugAdapter.js')], { env: { ELECTRON_RUN_AS_NODE: '1' } }),
  }));
}

export function deactivate(): void {
  // Nothing to release: sessions end with their adapter processes.
}
