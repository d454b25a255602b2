// Commands of the Watchpoints view's items: enable/disable (checkbox), edit condition, reveal the
// source line, remove, remove all. During a session each change is sent to the adapter at once.
import * as vscode from 'vscode';
import { CustomRequest } from '../../dap/protocol/custom';
import { activeKvmiSession } from './guestElf';
import type { SessionWatchpoints } from './sessionWatchpoints';
import type { WatchpointNode } from './watchpointTree';
import type { WatchpointStore } from './watchpointStore';

export function registerWatchpointViewCommands(store: WatchpointStore, sessions: SessionWatchpoints,
  view: vscode.TreeView<WatchpointNode>): vscode.Disposable[] {
  const setEnabled = async (key: string, enabled: boolean) => {
    const w = store.find(key);
    if (!w || w.enabled === enabled) return;
    await store.update(key, { enabled });
    const session = activeKvmiSession();
    if (!session) return;
    try {
      if (enabled) await sessions.addToSession(session, { ...w, enabled });
      else await sessions.removeFromSession(session, w);
    } catch (error) {
      void vscode.window.showErrorMessage(`Watchpoint ${w.label}: ${(error as Error).message}`);
    }
  };
  const remove = async (node: WatchpointNode | undefined) => {
    if (!node) return;
    const session = activeKvmiSession();
    if (node.kind === 'session') {
      if (session) await session.customRequest(CustomRequest.removeWatchpoint, { id: node.watchpoint.id });
      if (session) await sessions.refresh(session);
      return;
    }
    if (session) await sessions.removeFromSession(session, node.watchpoint);
    await store.remove(node.watchpoint.key);
  };
  return [
    view.onDidChangeCheckboxState((event) => {
      for (const [node, state] of event.items) {
        if (node.kind === 'stored') void setEnabled(node.watchpoint.key, state === vscode.TreeItemCheckboxState.Checked);
      }
    }),
    vscode.commands.registerCommand('kvmi.watchpoints.enable', (node?: WatchpointNode) => node?.kind === 'stored' && setEnabled(node.watchpoint.key, true)),
    vscode.commands.registerCommand('kvmi.watchpoints.disable', (node?: WatchpointNode) => node?.kind === 'stored' && setEnabled(node.watchpoint.key, false)),
    vscode.commands.registerCommand('kvmi.watchpoints.remove', remove),
    vscode.commands.registerCommand('kvmi.watchpoints.removeAll', async () => {
      for (const w of [...store.all]) await remove({ kind: 'stored', watchpoint: w });
    }),
    vscode.commands.registerCommand('kvmi.watchpoints.editCondition', async (node?: WatchpointNode) => {
      if (node?.kind !== 'stored') return;
      const condition = await vscode.window.showInputBox({
        title: `Condition of ${node.watchpoint.label}`, value: node.watchpoint.condition ?? '',
        prompt: 'Stop only when this expression is true (empty: always stop)',
      });
      if (condition === undefined) return;
      const session = activeKvmiSession();
      if (session) await sessions.removeFromSession(session, node.watchpoint);
      await store.update(node.watchpoint.key, { condition: condition.trim() || undefined });
      const updated = store.find(node.watchpoint.key);
      if (session && updated?.enabled) await sessions.addToSession(session, updated);
    }),
    vscode.commands.registerCommand('kvmi.watchpoints.reveal', async (node?: WatchpointNode) => {
      if (node?.kind !== 'stored' || !node.watchpoint.source) return;
      const line = node.watchpoint.source.line - 1;
      await vscode.window.showTextDocument(vscode.Uri.file(node.watchpoint.source.path), {
        selection: new vscode.Range(line, 0, line, 0), preserveFocus: false,
      });
    }),
  ];
}
