// Extension entry point: registers the kvmi debug type's providers, adapter factory and commands, and
// does nothing else. The adapter itself runs as a separate Node program (dist/debugAdapter.js).
import * as vscode from 'vscode';
import { AdapterDescriptorFactory } from './adapterDescriptorFactory';
import { checkKvmAccess } from './checkKvmCommand';
import { ConfigurationProvider } from './configurationProvider';
import { DynamicConfigurationProvider } from './dynamicConfigurationProvider';
import { pickGuestCommand } from './pickGuest';

export const debugType = 'kvmi';

export function activate(context: vscode.ExtensionContext): void {
  const manifestDebugger = (context.extension.packageJSON.contributes?.debuggers ?? [])
    .find((d: { type?: string }) => d.type === debugType) as { initialConfigurations?: vscode.DebugConfiguration[] } | undefined;
  context.subscriptions.push(
    vscode.debug.registerDebugConfigurationProvider(debugType,
      new ConfigurationProvider(manifestDebugger?.initialConfigurations ?? [])),
    vscode.debug.registerDebugConfigurationProvider(debugType, new DynamicConfigurationProvider(),
      vscode.DebugConfigurationProviderTriggerKind.Dynamic),
    vscode.debug.registerDebugAdapterDescriptorFactory(debugType,
      new AdapterDescriptorFactory(context.asAbsolutePath('dist/debugAdapter.js'))),
    vscode.commands.registerCommand('kvmi.pickGuest', pickGuestCommand),
    vscode.commands.registerCommand('kvmi.checkKvmAccess', checkKvmAccess),
  );
}

export function deactivate(): void {
  // Nothing to release: sessions end with their adapter processes.
}
