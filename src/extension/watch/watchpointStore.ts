// The list of watchpoints of a workspace, persisted in workspaceState so that it survives reloads and
// is there before a session starts. Everything that shows watchpoints (tree view, gutter icons,
// status bar) listens to onDidChange; only this file writes the stored list.
import type { StoredWatchpoint } from './storedWatchpoint';
import { sameRange } from './storedWatchpoint';

/** The part of vscode.Memento the store uses (so unit tests can give a Map-backed one). */
export interface KeyValueState {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

export const storageKey = 'kvmi.watchpoints';

type Listener = () => void;

export class WatchpointStore {
  private items: StoredWatchpoint[];
  private readonly listeners = new Set<Listener>();
  private nextKey: number;

  constructor(private readonly state: KeyValueState) {
    this.items = (state.get<StoredWatchpoint[]>(storageKey) ?? []).map((w) => ({ ...w, adapterId: undefined }));
    this.nextKey = this.items.reduce((max, w) => Math.max(max, Number(w.key.replace(/\D/g, '')) || 0), 0) + 1;
  }

  get all(): readonly StoredWatchpoint[] { return this.items; }

  onDidChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Adds a watchpoint, or returns the one already covering the same range with the same access. */
  async add(entry: Omit<StoredWatchpoint, 'key' | 'hits' | 'enabled'> & { enabled?: boolean }): Promise<StoredWatchpoint> {
    const existing = this.items.find((w) => sameRange(w, entry));
    if (existing) return existing;
    const added: StoredWatchpoint = { enabled: true, ...entry, key: `w${this.nextKey++}`, hits: 0 };
    this.items = [...this.items, added];
    await this.changed();
    return added;
  }

  async update(key: string, change: Partial<Omit<StoredWatchpoint, 'key'>>): Promise<void> {
    this.items = this.items.map((w) => (w.key === key ? { ...w, ...change } : w));
    await this.changed();
  }

  async remove(key: string): Promise<void> {
    this.items = this.items.filter((w) => w.key !== key);
    await this.changed();
  }

  find(key: string): StoredWatchpoint | undefined { return this.items.find((w) => w.key === key); }

  /** A new session counts its own hits. */
  async sessionStarted(): Promise<void> {
    this.items = this.items.map((w) => ({ ...w, hits: 0, adapterId: undefined }));
    await this.changed();
  }

  /** Clears the session-only fields when a session ends; hit counts stay visible until the next one. */
  async sessionEnded(): Promise<void> {
    this.items = this.items.map((w) => ({ ...w, adapterId: undefined }));
    await this.changed();
  }

  private async changed(): Promise<void> {
    await this.state.update(storageKey, this.items.map(({ adapterId: _unused, ...kept }) => kept));
    for (const listener of this.listeners) listener();
  }
}
