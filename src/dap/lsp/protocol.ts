// Messages and shapes shared by the guest-symbol language server (src/dap/lsp/server.ts) and the
// extension's client (src/extension/languageClient.ts): initialization options, the
// `kvmi/sessionState` and `kvmi/guestIndexed` notifications, and the watch commands offered by
// code lenses.
// Addresses travel as "0x..." strings because JSON numbers cannot hold 64-bit guest addresses.

/** Kind of guest access a watchpoint stops on (same words as launch.json `watchpoints[].access`). */
export type WatchAccess = 'read' | 'write' | 'readWrite' | 'execute';

/** Command ids of the code lenses; the extension registers these. */
export const watchCommands = {
  writes: 'kvmi.watch.writes',
  reads: 'kvmi.watch.reads',
  execution: 'kvmi.watch.execution',
} as const;

export type WatchCommandId = (typeof watchCommands)[keyof typeof watchCommands];

/** The single argument of every `kvmi.watch.*` command. */
export interface WatchCommandArguments {
  /** ELF symbol (or DWARF name) of the watched object or function. */
  symbol: string;
  /** Guest virtual address of the first byte, "0x...". */
  address: string;
  /** Bytes to watch (the object's size, or the function's code size). */
  size: number;
  access: WatchAccess;
  /** Absolute path of the guest ELF the address was read from. */
  guest: string;
  /** The declaration the lens sits on (absolute path, 1-based line): where the gutter icon goes. */
  source?: { path: string; line: number };
}

/** A watchpoint saved by the user (launch.json or the extension's state) that must still resolve. */
export interface PersistedWatchpoint {
  symbol?: string;
  /** "0x..." or decimal; required when `symbol` is absent. */
  address?: string;
  size?: number;
  access: WatchAccess;
  /** Guest ELF it belongs to; when absent, every known guest is tried. */
  guest?: string;
  /** Where it is saved, for the diagnostic (file URI, 0-based line). */
  savedIn?: { uri: string; line: number };
}

/** `initializationOptions` of the server, and the `kvmi` section of didChangeConfiguration. */
export interface LanguageServerOptions {
  /** Setting `kvmi.guestElfs`: extra guest ELF paths (absolute, or relative to the workspace folder). */
  guestElfs?: string[];
  persistedWatchpoints?: PersistedWatchpoint[];
}

/** Notification the extension sends while (and when) a debug session runs. */
export const sessionStateNotification = 'kvmi/sessionState';

export interface SessionWatchpoint {
  symbol?: string;
  address: string;
  size: number;
  access: WatchAccess;
  /** Stops caused by this watchpoint so far in the session. */
  hitCount: number;
}

/**
 * KVMI page restriction on one guest page frame (KVMI_VM_SET_PAGE_ACCESS, Intel SDM Vol. 3C
 * §29.3.3 EPT permissions): which accesses are still allowed without an introspection event.
 */
export interface PageRestriction {
  /** Guest frame number, "0x...". */
  gfn: string;
  read: boolean;
  write: boolean;
  execute: boolean;
}

/** Current value of a guest variable, as the debug adapter renders it. */
export interface SymbolValue {
  symbol: string;
  address: string;
  value: string;
}

export interface SessionState {
  /** False once the session ends: hovers and lenses drop the live parts. */
  active: boolean;
  /** Guest ELF of the session. */
  guest?: string;
  watchpoints: SessionWatchpoint[];
  restrictions: PageRestriction[];
  values?: SymbolValue[];
  /** Watchpoints kept across sessions, checked against the current ELF. */
  persistedWatchpoints?: PersistedWatchpoint[];
}

/** Notification from the server each time a guest's DWARF declarations are indexed (or fail to be). */
export const guestIndexedNotification = 'kvmi/guestIndexed';

export interface GuestIndexed {
  /** Absolute path of the guest ELF. */
  guest: string;
  /** ELF symbols indexed (available from the start, for hovers and symbol search). */
  symbols: number;
  /** Functions and variables with a source declaration, now available to lenses and the outline. */
  declarations: number;
  /** Why the DWARF declarations could not be read. */
  error?: string;
}
