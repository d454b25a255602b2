// Gutter icons for watchpoints set from a source line: one decoration type per access kind, placed
// on the line of each stored watchpoint in every visible editor, with hover text giving the address,
// size and hit count. Redrawn when watchpoints or visible editors change.
import * as vscode from 'vscode';
import type { WatchAccess } from '../configurationTypes';
import { describeWatchpoint } from './storedWatchpoint';
import { iconFileFor } from './watchpointIcons';
import type { WatchpointStore } from './watchpointStore';

const accesses: WatchAccess[] = ['write', 'read', 'readWrite', 'execute'];

export class WatchpointDecorations implements vscode.Disposable {
  private readonly types = new Map<WatchAccess, vscode.TextEditorDecorationType>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly store: WatchpointStore, extensionUri: vscode.Uri) {
    for (const access of accesses) {
      this.types.set(access, vscode.window.createTextEditorDecorationType({
        gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', iconFileFor(access)),
        gutterIconSize: 'contain',
      }));
    }
    this.subscriptions.push(store.onDidChange(() => this.redraw()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.redraw()));
    this.redraw();
  }

  /** Decorations per editor, by access kind (exposed for the in-VS Code tests). */
  decorationsFor(path: string): Map<WatchAccess, vscode.DecorationOptions[]> {
    const byAccess = new Map<WatchAccess, vscode.DecorationOptions[]>(accesses.map((a) => [a, []]));
    for (const w of this.store.all) {
      if (!w.source || w.source.path !== path) continue;
      const line = w.source.line - 1;
      const hover = new vscode.MarkdownString(`**Watchpoint** ${describeWatchpoint(w)}`);
      byAccess.get(w.access)!.push({ range: new vscode.Range(line, 0, line, 0), hoverMessage: hover });
    }
    return byAccess;
  }

  private redraw(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      const byAccess = this.decorationsFor(editor.document.uri.fsPath);
      for (const [access, type] of this.types) editor.setDecorations(type, byAccess.get(access) ?? []);
    }
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.types.forEach((t) => t.dispose());
  }
}
