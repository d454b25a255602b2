// The "Page Restrictions" view: the guest-physical frames whose access rights the session restricts
// (KVMI_VM_SET_PAGE_ACCESS, from kvmi/statistics), each with the rights left to the guest and the
// hits of the watchpoints on that frame.
import * as vscode from 'vscode';
import { CustomRequest, type ListWatchpointsResponse } from '../../dap/protocol/custom';
import type { SessionWatchpoints } from '../watch/sessionWatchpoints';
import type { SessionMonitor } from './sessionMonitor';

export interface PageNode { frame: string; access: string; hits: number }

export class PageRestrictionsTree implements vscode.TreeDataProvider<PageNode> {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private frameHits = new Map<string, number>();

  constructor(private readonly monitor: SessionMonitor, sessions: SessionWatchpoints) {
    monitor.onDidChange(() => this.emitter.fire());
    sessions.onDidRefresh((session) => void this.countHits(session));
  }

  getChildren(): PageNode[] {
    return (this.monitor.state?.statistics?.restrictedFrames ?? [])
      .map((f) => ({ frame: f.frame, access: f.access, hits: this.frameHits.get(BigInt(f.frame).toString()) ?? 0 }));
  }

  getTreeItem(node: PageNode): vscode.TreeItem {
    const item = new vscode.TreeItem(`frame ${node.frame}`);
    item.description = `guest may ${node.access} · ${node.hits} hit${node.hits === 1 ? '' : 's'}`;
    item.tooltip = `Guest-physical page ${node.frame}: rights left to the guest "${node.access}" (r, w, x; "-" = trapped)`;
    item.iconPath = new vscode.ThemeIcon('lock');
    return item;
  }

  private async countHits(session: vscode.DebugSession): Promise<void> {
    const hits = new Map<string, number>();
    try {
      const listed = await session.customRequest(CustomRequest.listWatchpoints) as ListWatchpointsResponse;
      for (const w of listed.watchpoints) {
        for (const f of w.frames) hits.set(BigInt(f).toString(), (hits.get(BigInt(f).toString()) ?? 0) + w.hits);
      }
    } catch {
      return;
    }
    this.frameHits = hits;
    this.emitter.fire();
  }
}
