// The typed error of the KVM engine: what failed (kind), a message naming the operation and the
// kernel's reason, and the errno when a system call failed.

export type KvmErrorKind =
  | 'noFfi'          // koffi or the C library cannot be loaded
  | 'noDevice'       // /dev/kvm cannot be opened
  | 'badApiVersion'  // KVM_GET_API_VERSION is not 12
  | 'vmSetup'        // creating the VM, its memory or a vCPU failed
  | 'ioctl'          // a vCPU or VM ioctl failed at run time
  | 'badExit'        // KVM_RUN returned an exit the engine cannot handle
  | 'badArgument';   // a caller passed something out of range

export class KvmError extends Error {
  constructor(readonly kind: KvmErrorKind, message: string, readonly errno?: number) {
    super(message);
    this.name = 'KvmError';
  }
}
