// The guests a workspace folder debugs: the `guest` of every `kvmi` configuration in
// .vscode/launch.json (comments and trailing commas allowed, `${workspaceFolder}` resolved), and
// the `watchpoints` saved there, which must keep resolving against the rebuilt ELF, and the
// `sourceMap` that locates the guest's build-time source paths here.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LaunchJsonError } from './errors';
import { parseJsonc } from './jsonc';
import type { PersistedWatchpoint, WatchAccess } from './protocol';
import type { SourceMap } from './sourcePaths';

export interface LaunchGuests {
  launchJson: string;
  guests: string[];
  watchpoints: PersistedWatchpoint[];
  /** `sourceMap` of the configuration naming each guest, `${workspaceFolder}` resolved. */
  sourceMaps: Map<string, SourceMap>;
  /** Set when launch.json exists but cannot be read; guests/watchpoints are then empty. */
  error?: LaunchJsonError;
}

export function launchJsonPath(folder: string): string {
  return join(folder, '.vscode', 'launch.json');
}

/** A guest path as written in launch.json, resolved against `folder`; undefined for `${command:...}` and other unknown variables. */
export function resolveGuestPath(raw: string, folder: string): string | undefined {
  const substituted = raw.replace(/\$\{workspaceFolder\}/g, folder).replace(/\$\{workspaceRoot\}/g, folder);
  if (/\$\{[^}]*\}/.test(substituted)) return undefined;
  return isAbsolute(substituted) ? resolve(substituted) : resolve(folder, substituted);
}

const accesses: readonly WatchAccess[] = ['read', 'write', 'readWrite', 'execute'];

export function readLaunchGuests(folder: string): LaunchGuests {
  const path = launchJsonPath(folder);
  const result: LaunchGuests = { launchJson: path, guests: [], watchpoints: [], sourceMaps: new Map() };
  if (!existsSync(path)) return result;
  const text = readFileSync(path, 'utf8');
  const parsed = parseJsonc(text);
  if ('error' in parsed) {
    result.error = new LaunchJsonError(path, parsed.error.line, parsed.error.column, `launch.json is not valid JSON: ${parsed.error.message}`);
    return result;
  }
  const configurations = (parsed.value as { configurations?: unknown })?.configurations;
  if (!Array.isArray(configurations)) return result;
  const uri = pathToFileURL(path).toString();
  for (const config of configurations as Array<Record<string, unknown>>) {
    if (config?.type !== 'kvmi' || typeof config.guest !== 'string') continue;
    const guest = resolveGuestPath(config.guest, folder);
    if (!guest) continue;
    if (!result.guests.includes(guest)) result.guests.push(guest);
    if (config.sourceMap && typeof config.sourceMap === 'object' && !result.sourceMaps.has(guest)) {
      const map: Record<string, string> = {};
      for (const [remote, local] of Object.entries(config.sourceMap as Record<string, unknown>)) {
        if (typeof local === 'string') map[remote] = local.replace(/\$\{workspaceFolder\}/g, folder);
      }
      result.sourceMaps.set(guest, map);
    }
    if (!Array.isArray(config.watchpoints)) continue;
    for (const w of config.watchpoints as Array<Record<string, unknown>>) {
      const access = accesses.includes(w?.access as WatchAccess) ? (w.access as WatchAccess) : 'write';
      const symbol = typeof w?.symbol === 'string' ? w.symbol : undefined;
      const address = typeof w?.address === 'string' || typeof w?.address === 'number' ? String(w.address) : undefined;
      if (!symbol && !address) continue;
      const size = typeof w.size === 'number' ? w.size : undefined;
      result.watchpoints.push({ symbol, address, size, access, guest, savedIn: { uri, line: lineOf(text, symbol ?? address!) } });
    }
  }
  return result;
}

/** 0-based line of the first `"symbol": "NAME"` / `"address": "NAME"` entry, 0 when not found. */
function lineOf(text: string, value: string): number {
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`"(symbol|address)"\\s*:\\s*"?${escaped}"?`).exec(text);
  return match ? text.slice(0, match.index).split('\n').length - 1 : 0;
}
