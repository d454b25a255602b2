// Guest RAM of a KVM VM: one memfd (memfd_create + ftruncate), mapped MAP_SHARED at least twice --
// the mapping registered with KVM as memory slot 0 (KVM_SET_USER_MEMORY_REGION, api.rst 4.35), and
// the VMM's own mapping through which the loader, readGuest/writeGuest and device models access the
// same pages. The second mapping stays writable when the KVM-side mapping is later restricted
// (mprotect) to make guest accesses to watched pages leave KVM. vCPU threads map the memfd again.
import { check, libc, MAP_SHARED, MFD_CLOEXEC, PROT_READ, PROT_WRITE } from './libc';
import { KvmError } from './kvmError';

export interface GuestMapping {
  /** The koffi pointer returned by mmap (for munmap/mprotect). */
  pointer: unknown;
  address: bigint;
  bytes: Uint8Array;
  length: number;
}

/** Maps `length` bytes of the memfd read-write and shared. */
export function mapGuestMemory(memfd: number, length: number): GuestMapping {
  const c = libc();
  const pointer = c.mmap(null, length, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
  const address = pointer === null ? -1n : c.koffi.address(pointer);
  if (address === -1n || address === 0n) {
    throw new KvmError('vmSetup', `mmap of ${length >> 20} MiB of guest memory failed: ${c.strerror(c.koffi.errno())}`);
  }
  return { pointer, address, length, bytes: new Uint8Array(c.koffi.view(pointer, length)) };
}

export function unmapGuestMemory(m: GuestMapping): void {
  libc().munmap(m.pointer, m.length);
}

export class GuestMemory {
  readonly memfd: number;
  /** The mapping KVM executes the guest from. */
  readonly kvmMapping: GuestMapping;
  /** The VMM's own mapping of the same pages. */
  readonly vmmMapping: GuestMapping;

  constructor(readonly length: number) {
    const c = libc();
    this.memfd = check(c.memfdCreate('kvmi-guest-ram', MFD_CLOEXEC), 'vmSetup', 'memfd_create for guest RAM');
    try {
      check(c.ftruncate(this.memfd, length), 'vmSetup', `ftruncate of guest RAM to ${length} bytes`);
      this.kvmMapping = mapGuestMemory(this.memfd, length);
      this.vmmMapping = mapGuestMemory(this.memfd, length);
    } catch (e) {
      c.close(this.memfd);
      throw e;
    }
  }

  /**
   * Unmaps KVM's mapping and closes the memfd once the VM is gone. The VMM's mapping stays, since
   * `Vm.ram` views it and may still be read after the VM ended; it is released with the process.
   */
  releaseKvmSide(): void {
    unmapGuestMemory(this.kvmMapping);
    libc().close(this.memfd);
  }
}
