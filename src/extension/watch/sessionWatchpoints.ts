// Keeps the stored watchpoints and the running kvmi session in step: enabled watchpoints go to the
// adapter when the session starts (the `watchpoints` launch attribute, or kvmi/addWatchpoint after
// `initialized` for those with a condition), additions and removals during a session go as custom
// requests, and each `stopped` event refreshes hit counts from kvmi/listWatchpoints.
import * as vscode from 'vscode';
import {
  CustomRequest, type AddWatchpointArguments, type AddWatchpointResponse, type ListWatchpointsResponse,
  type WatchpointDescription,
} from '../../dap/protocol/custom';
import type { WatchpointSpec } from '../configurationTypes';
import { sameRange, type StoredWatchpoint } from './storedWatchpoint';
import type { WatchpointStore } from './watchpointStore';

interface DapMessage { type?: string; event?: string; command?: string; body?: Record<string, unknown> }

export class SessionWatchpoints implements vscode.DebugAdapterTrackerFactory {
  /** Watchpoints the adapter has that the store does not (VS Code data breakpoints, launch.json ones). */
  private others: WatchpointDescription[] = [];
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeOthers = this.changeEmitter.event;
  /** Fired after each refresh, with the reason of the stop that caused it (for the status bar and tests). */
  private readonly refreshEmitter = new vscode.EventEmitter<vscode.DebugSession>();
  readonly onDidRefresh = this.refreshEmitter.event;

  constructor(private readonly store: WatchpointStore) {}

  get adapterOnly(): readonly WatchpointDescription[] { return this.others; }

  /** The stored watchpoints a launch of `guest` carries in its `watchpoints` attribute. */
  launchAttribute(guest: string | undefined): WatchpointSpec[] {
    return this.forGuest(guest).filter((w) => !w.condition)
      .map((w) => ({ address: w.address, size: w.size, access: w.access }));
  }

  createDebugAdapterTracker(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    return {
      onDidSendMessage: (message: DapMessage) => {
        if (message.type !== 'event') return;
        if (message.event === 'initialized') void this.sendConditioned(session);
        if (message.event === 'stopped') void this.refresh(session);
      },
      onWillStopSession: () => { this.others = []; this.changeEmitter.fire(); void this.store.sessionEnded(); },
    };
  }

  /** Sends one watchpoint to the session, records the adapter's id; throws the adapter's message. */
  async addToSession(session: vscode.DebugSession, w: StoredWatchpoint): Promise<void> {
    const args: AddWatchpointArguments = { address: w.address, size: w.size, access: w.access, condition: w.condition };
    const response = await session.customRequest(CustomRequest.addWatchpoint, args) as AddWatchpointResponse;
    await this.store.update(w.key, { adapterId: response.watchpoints[0]?.id });
  }

  async removeFromSession(session: vscode.DebugSession, w: StoredWatchpoint): Promise<void> {
    if (w.adapterId === undefined) await this.refresh(session);
    const id = this.store.find(w.key)?.adapterId;
    if (id !== undefined) await session.customRequest(CustomRequest.removeWatchpoint, { id });
    await this.store.update(w.key, { adapterId: undefined });
  }

  /** Asks the adapter for its watchpoints and copies ids and hit counts into the store. */
  async refresh(session: vscode.DebugSession): Promise<void> {
    let listed: WatchpointDescription[];
    try {
      listed = (await session.customRequest(CustomRequest.listWatchpoints) as ListWatchpointsResponse).watchpoints;
    } catch {
      return; // the session ended while the request was in flight
    }
    const matched = new Set<WatchpointDescription>();
    for (const w of this.store.all) {
      const found = listed.find((d) => !matched.has(d) && (d.id === w.adapterId || (w.enabled && sameRange(w, d))));
      if (found) {
        matched.add(found);
        if (found.hits !== w.hits || found.id !== w.adapterId) await this.store.update(w.key, { hits: found.hits, adapterId: found.id });
      }
    }
    this.others = listed.filter((d) => !matched.has(d));
    this.changeEmitter.fire();
    this.refreshEmitter.fire(session);
  }

  private forGuest(guest: string | undefined): StoredWatchpoint[] {
    return this.store.all.filter((w) => w.enabled && (!w.guest || !guest || w.guest === guest));
  }

  private async sendConditioned(session: vscode.DebugSession): Promise<void> {
    await this.store.sessionStarted();
    for (const w of this.forGuest(session.configuration.guest as string | undefined).filter((x) => x.condition)) {
      try {
        await this.addToSession(session, w);
      } catch (error) {
        void vscode.window.showWarningMessage(`Watchpoint ${w.label} was not set: ${(error as Error).message}`);
      }
    }
  }
}
