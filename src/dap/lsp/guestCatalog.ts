// The set of guest ELFs the server indexes: guests of the workspace's launch.json `kvmi`
// configurations plus the `kvmi.guestElfs` setting. Watches those files (and launch.json) on
// disk and re-indexes an ELF when it is rebuilt; a failed load is kept as an error and retried
// on the next change. Each loaded ELF's DWARF declarations are read in a worker thread.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { GuestLoadError, type LaunchJsonError } from './errors';
import { GuestImage } from './guestImage';
import { launchJsonPath, readLaunchGuests } from './launchGuests';
import type { PersistedWatchpoint } from './protocol';
import type { SourceMap } from './sourcePaths';

export interface GuestMatch {
  guest: GuestImage;
  /** The file's path as the guest's DWARF records it. */
  recordedPath: string;
}

const debounceMs = 150;

export class GuestCatalog {
  private folders: string[] = [];
  private settingElfs: string[] = [];
  private loaded = new Map<string, GuestImage>();
  private failures = new Map<string, GuestLoadError>();
  private launchErrors: LaunchJsonError[] = [];
  private launchWatchpoints: PersistedWatchpoint[] = [];
  private sourceMaps = new Map<string, SourceMap>();
  private order: string[] = [];
  private watchers = new Map<string, FSWatcher>();
  private watchedNames = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | undefined;

  /**
   * `onChange` runs after a refresh that loaded, dropped or failed a guest; `onIndexed` when a
   * current guest's DWARF declarations have been read (in a worker thread).
   */
  constructor(private readonly onChange: () => void, private readonly onIndexed: (guest: GuestImage) => void,
    private readonly watchFiles = true) {}

  setFolders(folders: string[]): void { this.folders = folders; }
  workspaceFolders(): readonly string[] { return this.folders; }

  /** The `kvmi.guestElfs` setting; relative paths are taken from the first workspace folder. */
  setGuestElfs(paths: readonly string[]): void {
    const base = this.folders[0] ?? process.cwd();
    this.settingElfs = paths.filter((p) => typeof p === 'string' && p.trim() !== '')
      .map((p) => (isAbsolute(p) ? resolve(p) : resolve(base, p.replace(/\$\{workspaceFolder\}\/?/g, ''))));
  }

  /** Re-reads launch.json and (re)loads guests that are new or changed on disk; true when anything changed. */
  refresh(): boolean {
    const wanted: string[] = [];
    this.launchErrors = [];
    this.launchWatchpoints = [];
    this.sourceMaps = new Map();
    for (const folder of this.folders) {
      const launch = readLaunchGuests(folder);
      for (const [guest, map] of launch.sourceMaps) if (!this.sourceMaps.has(guest)) this.sourceMaps.set(guest, map);
      if (launch.error) this.launchErrors.push(launch.error);
      for (const g of launch.guests) if (!wanted.includes(g)) wanted.push(g);
      this.launchWatchpoints.push(...launch.watchpoints);
    }
    for (const g of this.settingElfs) if (!wanted.includes(g)) wanted.push(g);
    let changed = wanted.join('\n') !== this.order.join('\n');
    for (const path of [...this.loaded.keys(), ...this.failures.keys()]) {
      if (!wanted.includes(path)) { this.loaded.delete(path); this.failures.delete(path); changed = true; }
    }
    for (const path of wanted) {
      const current = this.loaded.get(path);
      if (current && !current.changedOnDisk()) continue;
      try {
        const image = GuestImage.load(path);
        this.loaded.set(path, image);
        this.failures.delete(path);
        image.indexDeclarations(() => { if (this.loaded.get(path) === image) this.onIndexed(image); });
      } catch (error) {
        this.loaded.delete(path);
        this.failures.set(path, error instanceof GuestLoadError ? error : new GuestLoadError('unreadable', path, String(error)));
      }
      changed = true;
    }
    for (const [path, image] of this.loaded) image.sourceMap = this.sourceMaps.get(path) ?? {};
    this.order = wanted;
    if (this.watchFiles) this.updateWatchers();
    return changed;
  }

  /** Loaded guests in configuration order (launch.json first, then the setting). */
  guests(): GuestImage[] {
    return this.order.flatMap((p) => this.loaded.get(p) ?? []);
  }

  guest(path: string): GuestImage | undefined { return this.loaded.get(resolve(path)); }

  loadErrors(): GuestLoadError[] { return [...this.failures.values()]; }
  launchJsonErrors(): LaunchJsonError[] { return this.launchErrors; }
  savedWatchpoints(): readonly PersistedWatchpoint[] { return this.launchWatchpoints; }

  /** Guests built from the editor file `localPath`, with the path their DWARF records for it. */
  guestsBuiltFrom(localPath: string): GuestMatch[] {
    const out: GuestMatch[] = [];
    for (const guest of this.guests()) {
      const recordedPath = guest.recordedPathOf(localPath);
      if (recordedPath) out.push({ guest, recordedPath });
    }
    return out;
  }

  /** Called by the client's didChangeWatchedFiles as well as by the server's own watchers. */
  scheduleRefresh(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.refresh()) this.onChange();
    }, debounceMs);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  /** One watcher per directory holding a guest or a launch.json (linkers replace files, so watch the folder). */
  private updateWatchers(): void {
    const names = new Map<string, Set<string>>();
    const want = (file: string) => {
      const dir = dirname(file);
      if (!names.has(dir)) names.set(dir, new Set());
      names.get(dir)!.add(basename(file));
    };
    for (const path of this.order) want(path);
    for (const folder of this.folders) want(launchJsonPath(folder));
    this.watchedNames = names;
    for (const [dir, watcher] of this.watchers) if (!names.has(dir)) { watcher.close(); this.watchers.delete(dir); }
    for (const dir of names.keys()) {
      if (this.watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: false }, (_event, file) => {
          if (!file || this.watchedNames.get(dir)?.has(file.toString())) this.scheduleRefresh();
        });
        watcher.on('error', () => { watcher.close(); this.watchers.delete(dir); });
        this.watchers.set(dir, watcher);
      } catch {
        // The folder does not exist yet; the client's file events or a later refresh will notice it.
      }
    }
  }
}
