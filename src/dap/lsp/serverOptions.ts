// Validation of what the client sends as initializationOptions and as the `kvmi` configuration
// section: keeps the usable parts and names every entry that was dropped and why, so a typo in
// settings.json is reported rather than silently ignored.
import type { LanguageServerOptions, PersistedWatchpoint, WatchAccess } from './protocol';

const accesses: readonly WatchAccess[] = ['read', 'write', 'readWrite', 'execute'];

export interface CheckedOptions {
  options: Required<LanguageServerOptions>;
  problems: string[];
}

export function checkOptions(raw: unknown): CheckedOptions {
  const problems: string[] = [];
  const options: Required<LanguageServerOptions> = { guestElfs: [], persistedWatchpoints: [] };
  if (raw === undefined || raw === null) return { options, problems };
  if (typeof raw !== 'object') return { options, problems: [`kvmi settings must be an object, not ${typeof raw}`] };
  const { guestElfs, persistedWatchpoints } = raw as Record<string, unknown>;
  if (guestElfs !== undefined) {
    if (!Array.isArray(guestElfs)) problems.push('kvmi.guestElfs must be an array of ELF paths');
    else guestElfs.forEach((p, i) => {
      if (typeof p === 'string' && p.trim() !== '') options.guestElfs.push(p);
      else problems.push(`kvmi.guestElfs[${i}] must be a non-empty path string`);
    });
  }
  if (persistedWatchpoints !== undefined) {
    if (!Array.isArray(persistedWatchpoints)) problems.push('persistedWatchpoints must be an array');
    else persistedWatchpoints.forEach((w, i) => {
      const why = whyNotWatchpoint(w);
      if (why) problems.push(`persistedWatchpoints[${i}]: ${why}`); else options.persistedWatchpoints.push(w as PersistedWatchpoint);
    });
  }
  return { options, problems };
}

export function whyNotWatchpoint(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'must be an object';
  const w = value as Record<string, unknown>;
  if (w.symbol === undefined && w.address === undefined) return 'needs a "symbol" or an "address"';
  if (w.symbol !== undefined && (typeof w.symbol !== 'string' || w.symbol === '')) return '"symbol" must be a non-empty string';
  if (w.address !== undefined && typeof w.address !== 'string') return '"address" must be a "0x..." or decimal string';
  if (!accesses.includes(w.access as WatchAccess)) return `"access" must be one of ${accesses.join(', ')}`;
  return undefined;
}
