// The "Watchpoints" view of the Run and Debug container: stored watchpoints (checkbox = enabled,
// description = address, size and hits, context menu = condition, reveal, remove) and, during a
// session, the adapter's other watchpoints (VS Code data breakpoints, launch.json entries).
import * as vscode from 'vscode';
import type { WatchpointDescription } from '../../dap/protocol/custom';
import type { SessionWatchpoints } from './sessionWatchpoints';
import { accessWords, describeWatchpoint, type StoredWatchpoint } from './storedWatchpoint';
import type { WatchpointStore } from './watchpointStore';
import { iconFileFor } from './watchpointIcons';

export type WatchpointNode =
  | { kind: 'stored'; watchpoint: StoredWatchpoint }
  | { kind: 'session'; watchpoint: WatchpointDescription };

export class WatchpointTree implements vscode.TreeDataProvider<WatchpointNode> {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(private readonly store: WatchpointStore, private readonly sessions: SessionWatchpoints,
    private readonly extensionUri: vscode.Uri) {
    store.onDidChange(() => this.emitter.fire());
    sessions.onDidChangeOthers(() => this.emitter.fire());
  }

  getChildren(): WatchpointNode[] {
    return [
      ...this.store.all.map((watchpoint) => ({ kind: 'stored' as const, watchpoint })),
      ...this.sessions.adapterOnly.map((watchpoint) => ({ kind: 'session' as const, watchpoint })),
    ];
  }

  getTreeItem(node: WatchpointNode): vscode.TreeItem {
    const w = node.watchpoint;
    const item = new vscode.TreeItem(w.label);
    item.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', iconFileFor(w.access));
    item.description = `${accessWords[w.access]} · ${w.address} · ${w.size} B · ${w.hits} hit${w.hits === 1 ? '' : 's'}`;
    if (node.kind === 'stored') {
      const stored = node.watchpoint;
      item.id = stored.key;
      item.tooltip = describeWatchpoint(stored) + (stored.source ? `\nset from ${vscode.workspace.asRelativePath(stored.source.path)}:${stored.source.line}` : '');
      item.checkboxState = stored.enabled ? vscode.TreeItemCheckboxState.Checked : vscode.TreeItemCheckboxState.Unchecked;
      item.contextValue = stored.source ? 'kvmiWatchpoint.withSource' : 'kvmiWatchpoint';
      if (stored.source) item.command = { command: 'kvmi.watchpoints.reveal', title: 'Reveal Source', arguments: [node] };
    } else {
      item.id = `session-${node.watchpoint.id}`;
      item.tooltip = `${w.label}: set in this session (not saved), frames ${node.watchpoint.frames.join(', ')}`;
      item.contextValue = 'kvmiSessionWatchpoint';
    }
    return item;
  }
}
