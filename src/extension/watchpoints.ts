// Validates the "watchpoints" attribute of a kvmi configuration: each entry names an address or a
// symbol, a size in bytes and an access kind. KVMI watches guest pages through their access rights
// (KVMI_VM_SET_PAGE_ACCESS), so any size works; addresses are 64-bit (x86-64 linear addresses).
// Optional condition / hitCondition / logMessage filter hits as on a data breakpoint.
import { InvalidConfigurationError } from './configurationErrors';
import { launchDefaults, watchAccesses, type WatchAccess, type WatchpointSpec } from './configurationTypes';

const addressLimit = 1n << 64n;

/** What filters a watchpoint's hits: the adapter evaluates them (src/dap/watch/hitConditions.ts). */
export interface HitFilters { condition?: string; hitCondition?: string; logMessage?: string }
export type ConfiguredWatchpointSpec = WatchpointSpec & HitFilters;

const filterKeys = ['condition', 'hitCondition', 'logMessage'] as const;
const allowedKeys = ['address', 'symbol', 'size', 'access', ...filterKeys];
/** The hit condition forms VS Code's breakpoint UI offers: N, =N, ==N, >N, >=N, <N, <=N, %N. */
const hitConditionForm = /^\s*(==|=|>=|>|<=|<|%)?\s*\d+\s*$/;

export function validateWatchpoints(value: unknown): ConfiguredWatchpointSpec[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new InvalidConfigurationError('watchpoints', `must be an array of { "address" | "symbol", "size", "access" } objects, not ${describe(value)}`);
  }
  return value.map((entry, index) => validateWatchpoint(entry, `watchpoints[${index}]`));
}

function validateWatchpoint(entry: unknown, where: string): ConfiguredWatchpointSpec {
  const spec = validateTarget(entry, where);
  return { ...spec, ...validateFilters(entry as Record<string, unknown>, where) };
}

function validateFilters(fields: Record<string, unknown>, where: string): HitFilters {
  const filters: HitFilters = {};
  for (const key of filterKeys) {
    const value = fields[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.trim() === '') {
      throw new InvalidConfigurationError(`${where}.${key}`, `must be a non-empty string, not ${describe(value)}`);
    }
    filters[key] = value;
  }
  if (filters.hitCondition !== undefined && !hitConditionForm.test(filters.hitCondition)) {
    throw new InvalidConfigurationError(`${where}.hitCondition`, `must be N, =N, >N, >=N, <N, <=N or %N (N a whole number), not ${describe(filters.hitCondition)}`);
  }
  if (/^\s*%\s*0+\s*$/.test(filters.hitCondition ?? '')) {
    throw new InvalidConfigurationError(`${where}.hitCondition`, '"%0" divides by zero; use %N with N at least 1');
  }
  return filters;
}

function validateTarget(entry: unknown, where: string): WatchpointSpec {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new InvalidConfigurationError(where, `must be an object like { "address": "0x1000", "size": 4, "access": "write" }, not ${describe(entry)}`);
  }
  const fields = entry as Record<string, unknown>;
  const unknownKeys = Object.keys(fields).filter((key) => !allowedKeys.includes(key));
  if (unknownKeys.length > 0) {
    throw new InvalidConfigurationError(where, `has unknown field(s) ${unknownKeys.map((k) => `"${k}"`).join(', ')}; allowed: ${allowedKeys.join(', ')}`);
  }
  const hasAddress = fields.address !== undefined, hasSymbol = fields.symbol !== undefined;
  if (hasAddress === hasSymbol) {
    throw new InvalidConfigurationError(where, 'needs exactly one of "address" (a guest address) or "symbol" (an ELF symbol name)');
  }
  const access = validateAccess(fields.access, `${where}.access`);
  if (hasSymbol) {
    if (typeof fields.symbol !== 'string' || fields.symbol.trim() === '') {
      throw new InvalidConfigurationError(`${where}.symbol`, `must be a non-empty symbol name, not ${describe(fields.symbol)}`);
    }
    const size = fields.size === undefined ? undefined : validateSize(fields.size, `${where}.size`);
    return size === undefined ? { symbol: fields.symbol, access } : { symbol: fields.symbol, size, access };
  }
  const address = parseAddress(fields.address, `${where}.address`);
  if (fields.size === undefined) {
    throw new InvalidConfigurationError(`${where}.size`, 'is required with "address": give the number of bytes to watch');
  }
  const size = validateSize(fields.size, `${where}.size`);
  if (address + BigInt(size) > addressLimit) {
    throw new InvalidConfigurationError(where, `watches past the end of the 64-bit address space (0x${address.toString(16)} + ${size} bytes)`);
  }
  return { address: `0x${address.toString(16)}`, size, access };
}

function validateAccess(value: unknown, where: string): WatchAccess {
  if (value === undefined) return launchDefaults.watchAccess;
  if (typeof value === 'string' && (watchAccesses as readonly string[]).includes(value)) return value as WatchAccess;
  throw new InvalidConfigurationError(where, `must be one of ${watchAccesses.map((a) => `"${a}"`).join(', ')}, not ${describe(value)}`);
}

function validateSize(value: unknown, where: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value;
  throw new InvalidConfigurationError(where, `must be a whole number of bytes, at least 1, not ${describe(value)}`);
}

/** Accepts a JSON number (exact integers only) or a string in hex ("0x...") or decimal. */
function parseAddress(value: unknown, where: string): bigint {
  let address: bigint | undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) address = BigInt(value);
  else if (typeof value === 'string' && /^(0x[0-9a-f]+|[0-9]+)$/i.test(value.trim())) address = BigInt(value.trim());
  if (address === undefined || address >= addressLimit) {
    throw new InvalidConfigurationError(where, `must be a 64-bit guest address as a hex string ("0xffffffff81000000") or a whole number, not ${describe(value)}`);
  }
  return address;
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
