// Extension entry point: registers the kvmi debug type's providers and adapter factory, the watchpoint
// features (commands, gutter icons, Watchpoints view), the session views (status bar, Page
// Restrictions view, guest console terminal) and the guest-symbol language client. The adapter itself
// runs as a separate Node program (dist/debugAdapter.js).
import * as vscode from 'vscode';
import { AdapterDescriptorFactory } from './adapterDescriptorFactory';
import { checkKvmAccess } from './checkKvmCommand';
import { ConfigurationProvider } from './configurationProvider';
import { DynamicConfigurationProvider } from './dynamicConfigurationProvider';
import { pickGuestCommand } from './pickGuest';
import { start as startLanguageClient } from './languageClient';
import { watchCommands, type WatchCommandArguments } from '../dap/lsp/protocol';
import { registerFaultViews } from './session/faultViews';
import { PageRestrictionsTree } from './session/pageRestrictionsTree';
import { SerialTerminals } from './session/serialTerminal';
import { SessionMonitor } from './session/sessionMonitor';
import { createStatusBar } from './session/statusBar';
import { activeKvmiSession } from './watch/guestElf';
import { SessionWatchpoints } from './watch/sessionWatchpoints';
import { WatchCommands } from './watch/watchCommands';
import { WatchpointDecorations } from './watch/watchpointDecorations';
import { WatchpointStore } from './watch/watchpointStore';
import { WatchpointTree } from './watch/watchpointTree';
import { registerWatchpointViewCommands } from './watch/watchpointViewCommands';

export const debugType = 'kvmi';

/** What activate() returns: the live objects, for other extensions and the in-VS Code tests. */
export interface KvmiExtensionApi {
  store: WatchpointStore;
  sessions: SessionWatchpoints;
  monitor: SessionMonitor;
  watchpointTree: WatchpointTree;
  pageTree: PageRestrictionsTree;
  decorations: WatchpointDecorations;
  /** Where the watchpoints are persisted (workspaceState). */
  persistedState: vscode.Memento;
  /** Milliseconds activate() took. */
  activationMs: number;
}

export function activate(context: vscode.ExtensionContext): KvmiExtensionApi {
  const started = performance.now();
  const manifestDebugger = (context.extension.packageJSON.contributes?.debuggers ?? [])
    .find((d: { type?: string }) => d.type === debugType) as { initialConfigurations?: vscode.DebugConfiguration[] } | undefined;
  const store = new WatchpointStore(context.workspaceState);
  const sessions = new SessionWatchpoints(store);
  const monitor = new SessionMonitor();
  const watchpointTree = new WatchpointTree(store, sessions, context.extensionUri);
  const pageTree = new PageRestrictionsTree(monitor, sessions);
  const decorations = new WatchpointDecorations(store, context.extensionUri);
  const watchpointView = vscode.window.createTreeView('kvmi.watchpoints', { treeDataProvider: watchpointTree, showCollapseAll: false });
  context.subscriptions.push(
    vscode.debug.registerDebugConfigurationProvider(debugType,
      new ConfigurationProvider(manifestDebugger?.initialConfigurations ?? [], undefined, (guest) => sessions.launchAttribute(guest))),
    vscode.debug.registerDebugConfigurationProvider(debugType, new DynamicConfigurationProvider(),
      vscode.DebugConfigurationProviderTriggerKind.Dynamic),
    vscode.debug.registerDebugAdapterDescriptorFactory(debugType,
      new AdapterDescriptorFactory(context.asAbsolutePath('dist/debugAdapter.js'))),
    vscode.debug.registerDebugAdapterTrackerFactory(debugType, sessions),
    vscode.debug.registerDebugAdapterTrackerFactory(debugType, monitor),
    vscode.debug.registerDebugAdapterTrackerFactory(debugType, new SerialTerminals()),
    vscode.commands.registerCommand('kvmi.pickGuest', pickGuestCommand),
    vscode.commands.registerCommand('kvmi.checkKvmAccess', checkKvmAccess),
    watchpointView,
    vscode.window.registerTreeDataProvider('kvmi.pageRestrictions', pageTree),
    decorations,
    ...new WatchCommands(store, sessions).register(),
    ...registerWatchpointViewCommands(store, sessions, watchpointView),
    ...registerCodeLensWatchCommands(store, sessions),
    ...createStatusBar(monitor, store),
    ...registerFaultViews(monitor),
  );
  const persisted = store.all.map((w) => ({ address: w.address, size: w.size, access: w.access, guest: w.guest,
    savedIn: w.source ? { uri: vscode.Uri.file(w.source.path).toString(), line: w.source.line - 1 } : undefined }));
  startLanguageClient(context, persisted).catch((error: Error) => {
    console.error(`kvmi guest-symbol language server did not start: ${error.message}`);
  });
  return { store, sessions, monitor, watchpointTree, pageTree, decorations, persistedState: context.workspaceState, activationMs: performance.now() - started };
}

/**
 * The commands of the language server's "Watch writes/reads/execution" code lenses (src/dap/lsp/codeLenses.ts):
 * the lens names the object's address and size, so the watchpoint is stored as is (with the declaration's
 * line for its gutter icon) and, while a kvmi session runs, sent to it with kvmi/addWatchpoint.
 */
function registerCodeLensWatchCommands(store: WatchpointStore, sessions: SessionWatchpoints): vscode.Disposable[] {
  const watch = async (a: WatchCommandArguments) => {
    if (!a || !/^0x[0-9a-f]+$/i.test(a.address) || !(a.size >= 1)) {
      void vscode.window.showErrorMessage(`Cannot set the watchpoint: the code lens sent no address and size (${JSON.stringify(a)})`);
      return [];
    }
    const source = a.source && typeof a.source.path === 'string' && a.source.line >= 1 ? { path: a.source.path, line: a.source.line } : undefined;
    const stored = await store.add({ label: a.symbol, address: a.address, size: a.size, access: a.access, guest: a.guest, source });
    const session = activeKvmiSession();
    if (session && stored.adapterId === undefined) {
      try {
        await sessions.addToSession(session, stored);
      } catch (error) {
        await store.remove(stored.key);
        void vscode.window.showErrorMessage(`Cannot set the watchpoint: the debugger refused ${a.symbol}: ${(error as Error).message}`);
        return [];
      }
    }
    return [store.find(stored.key) ?? stored];
  };
  return Object.values(watchCommands).map((id) => vscode.commands.registerCommand(id, watch));
}

export function deactivate(): void {
  // Nothing to release: subscriptions are disposed by VS Code, sessions end with their adapter processes.
}
