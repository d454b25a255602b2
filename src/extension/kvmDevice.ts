// Checks that the KVM device can actually be used by this user: it exists and opens read-write (the
// KVM API's first step, open("/dev/kvm", O_RDWR), Documentation/virt/kvm/api.rst section 2).
import { closeSync, constants, openSync } from 'node:fs';

export const defaultKvmDevice = '/dev/kvm';

export type KvmAvailability = { usable: true } | { usable: false; reason: string };

export function probeKvm(devicePath: string = defaultKvmDevice): KvmAvailability {
  try {
    closeSync(openSync(devicePath, constants.O_RDWR));
    return { usable: true };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { usable: false, reason: `${devicePath} does not exist (KVM module not loaded, or no hardware virtualisation)` };
    if (code === 'EACCES' || code === 'EPERM') return { usable: false, reason: `${devicePath} is not readable and writable by this user (add the user to the group owning it, usually "kvm")` };
    return { usable: false, reason: `${devicePath} cannot be opened: ${(error as Error).message}` };
  }
}
