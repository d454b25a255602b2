// The device manager's allow/disallow table for KVMI commands and events (KVMI reference §1.3,
// KVM_INTROSPECTION_COMMAND / KVM_INTROSPECTION_EVENT). Unlike the kernel's default (everything
// disallowed until QEMU allows all), this VMM starts with everything allowed, as QEMU leaves it;
// `--kvmi-deny-command` / `--kvmi-deny-event` remove entries. GET_VERSION, VM_CHECK_COMMAND and
// VM_CHECK_EVENT are always allowed: denying one by id is refused, denying all (-1) skips them.
import { COMMANDS, EVENTS, KVMI_MSG, commandById, eventById } from '../kvmi';

/** Why a permission change was refused, with the errno the ioctl would return. */
export class KvmiPermissionError extends Error {
  override readonly name = 'KvmiPermissionError';
  constructor(readonly errno: 'EPERM' | 'EINVAL', message: string) {
    super(message);
  }
}

export const ALWAYS_ALLOWED_COMMANDS: ReadonlySet<number> = new Set([
  KVMI_MSG.KVMI_GET_VERSION, KVMI_MSG.KVMI_VM_CHECK_COMMAND, KVMI_MSG.KVMI_VM_CHECK_EVENT,
]);

/** id = -1 means every id (the ioctl convention). */
export const ALL_IDS = -1;

export class KvmiPermissions {
  private readonly deniedCommands = new Set<number>();
  private readonly deniedEvents = new Set<number>();

  constructor(denied: { commands?: readonly number[]; events?: readonly number[] } = {}) {
    for (const id of denied.commands ?? []) this.setCommand(id, false);
    for (const id of denied.events ?? []) this.setEvent(id, false);
  }

  commandAllowed(id: number): boolean { return !this.deniedCommands.has(id); }
  eventAllowed(id: number): boolean { return !this.deniedEvents.has(id); }

  /** KVM_INTROSPECTION_COMMAND: allow or disallow one command id, or all with -1. */
  setCommand(id: number, allow: boolean): void {
    if (id === ALL_IDS) {
      for (const c of Object.values(COMMANDS)) if (!ALWAYS_ALLOWED_COMMANDS.has(c.id)) this.apply(this.deniedCommands, c.id, allow);
      return;
    }
    const command = commandById(id);
    if (!command) throw new KvmiPermissionError('EINVAL', `${id} is not a KVMI command id`);
    if (ALWAYS_ALLOWED_COMMANDS.has(id) && !allow) throw new KvmiPermissionError('EPERM', `${command.name} is always allowed and cannot be denied`);
    this.apply(this.deniedCommands, id, allow);
  }

  /** KVM_INTROSPECTION_EVENT: allow or disallow one event id, or all with -1. */
  setEvent(id: number, allow: boolean): void {
    if (id === ALL_IDS) {
      for (const e of Object.values(EVENTS)) this.apply(this.deniedEvents, e.id, allow);
      return;
    }
    if (!eventById(id)) throw new KvmiPermissionError('EINVAL', `${id} is not a KVMI event id`);
    this.apply(this.deniedEvents, id, allow);
  }

  private apply(set: Set<number>, id: number, allow: boolean): void {
    if (allow) set.delete(id); else set.add(id);
  }
}

/**
 * Resolves a command or event written as a wire id (decimal or 0x hex) or a macro name, with or
 * without the KVMI_ prefix ("KVMI_VM_GET_INFO", "vm_get_info", "8"). Undefined if unknown.
 */
export function resolveKvmiId(text: string, table: 'command' | 'event'): number | undefined {
  const trimmed = text.trim();
  if (/^(0x[0-9a-f]+|[0-9]+)$/i.test(trimmed)) {
    const id = Number(trimmed);
    return (table === 'command' ? commandById(id) : eventById(id)) ? id : undefined;
  }
  const name = trimmed.toUpperCase().replace(/^KVMI_/, '');
  const entries = table === 'command' ? Object.values(COMMANDS) : Object.values(EVENTS);
  return entries.find((e) => e.name === `KVMI_${name}`)?.id;
}
