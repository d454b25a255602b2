// The adapter's own DAP requests and events, defined once for both sides: the adapter handles the
// requests and sends the events; the extension's gutter, views, guest console and status bar send
// them (`session.customRequest(name, args)`) and listen to them. Each lists its arguments or body.
import type { WatchAccess } from '../watch/watchpoint';

export const CustomRequest = {
  /** Adds a watchpoint on a source line's variables, a symbol or an address range. */
  addWatchpoint: 'kvmi/addWatchpoint',
  removeWatchpoint: 'kvmi/removeWatchpoint',
  listWatchpoints: 'kvmi/listWatchpoints',
  /** Counters: filtered accesses and the restricted frames. */
  statistics: 'kvmi/statistics',
  /** Text for the guest's COM1 receive side (launch with `serial: "terminal"` only). */
  serialInput: 'kvmi/serialInput',
} as const;

export const CustomEvent = {
  /** Guest COM1 output, sent instead of `stdout` output events with `serial: "terminal"`. */
  serialOutput: 'kvmi/serialOutput',
  /** The engine the VMM actually runs (with `engine: "auto"` it is chosen at start). */
  engine: 'kvmi/engine',
} as const;

/** Guest line ends are "\n"; the text is passed to the guest byte for byte (UTF-8). */
export interface SerialInputArguments { text: string }
export interface SerialOutputEventBody { text: string }
export interface EngineEventBody {
  /** "kvm" or "emulator" (the VMM's engine names). */
  engine: string;
  /** Why: the VMM's explanation of an `auto` choice, or that the configuration named the engine. */
  reason?: string;
}

/** Exactly one of `symbol`, `address` (with `size`) or `source`+`line` names the memory. */
export interface AddWatchpointArguments {
  symbol?: string;
  /** "0x..." guest-virtual, or "phys:0x..." guest-physical. */
  address?: string;
  size?: number;
  /** A source file and line: watches the variables declared on that line. */
  source?: string;
  line?: number;
  access: WatchAccess;
  condition?: string;
  hitCondition?: string;
  /** Print this (with {expression} parts) and continue instead of stopping. */
  logMessage?: string;
}

export interface WatchpointDescription {
  id: number;
  label: string;
  /** "0x..." or "phys:0x...". */
  address: string;
  size: number;
  access: WatchAccess;
  hits: number;
  /** Guest-physical frames the watchpoint covers. */
  frames: string[];
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

export interface AddWatchpointResponse { watchpoints: WatchpointDescription[] }
export interface RemoveWatchpointArguments { id: number }
export interface RemoveWatchpointResponse { removed: boolean }
export interface ListWatchpointsResponse { watchpoints: WatchpointDescription[] }
export interface StatisticsResponse {
  /** Accesses to watched frames outside every watched byte range, continued without a stop. */
  filteredAccesses: number;
  filteredByAccess: { read: number; write: number; execute: number };
  restrictedFrames: { frame: string; access: string }[];
}
