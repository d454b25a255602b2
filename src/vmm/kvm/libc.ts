// The C library calls the KVM engine needs (open, ioctl, mmap, memfd_create, per-thread timers,
// signals), bound through koffi and loaded on first use, so that merely importing the KVM engine
// works on hosts without koffi or glibc. Failing calls become KvmError with the errno name.
// Only plain Node can use the memory views made here (Electron forbids external ArrayBuffers).
import { KvmError } from './kvmError';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Koffi = typeof import('koffi');

export interface Libc {
  koffi: Koffi;
  open(path: string, flags: number, mode: number): number;
  close(fd: number): number;
  /** ioctl with a pointer argument (a buffer the kernel reads and/or writes). */
  ioctlPtr(fd: number, request: number, arg: Uint8Array | null): number;
  /** ioctl with an integer argument. */
  ioctlInt(fd: number, request: number, arg: number): number;
  mmap(addr: null, length: number, prot: number, flags: number, fd: number, offset: number): unknown;
  munmap(ptr: unknown, length: number): number;
  mprotect(address: bigint, length: number, prot: number): number;
  memfdCreate(name: string, flags: number): number;
  ftruncate(fd: number, length: number): number;
  pread(fd: number, buf: Uint8Array, count: number, offset: number): number;
  strerror(errnum: number): string;
  gettid(): number;
  getpid(): number;
  sigaction(signo: number, act: Uint8Array, old: Uint8Array | null): number;
  dlsym(handle: null, name: string): unknown;
  timerCreate(clock: number, sevp: Uint8Array, timerIdOut: Uint8Array): number;
  timerSettime(timerId: bigint, flags: number, value: Uint8Array, old: null): number;
  timerDelete(timerId: bigint): number;
}

export const O_RDWR = 0o2;
export const O_CLOEXEC = 0o2000000;
export const PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2;
export const MAP_SHARED = 1;
export const MFD_CLOEXEC = 1;
export const CLOCK_MONOTONIC = 1;
const SYS_GETTID = 186;   // x86-64 system call number

let cached: Libc | undefined;
let loadError: string | undefined;

/** Why the C library cannot be bound here, or undefined when it can. */
export function libcUnavailable(): string | undefined {
  if (cached) return undefined;
  if (loadError === undefined) {
    try { cached = bind(); } catch (e) { loadError = e instanceof Error ? e.message : String(e); }
  }
  return loadError;
}

/** The bound C library; throws KvmError('noFfi') where koffi or libc.so.6 is missing. */
export function libc(): Libc {
  const problem = libcUnavailable();
  if (problem !== undefined || !cached) throw new KvmError('noFfi', `cannot call the C library: ${problem}`);
  return cached;
}

function bind(): Libc {
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`KVM support is for Linux x86-64, not ${process.platform}/${process.arch}`);
  // Loaded lazily, so that hosts without koffi's native binary can still load the other engines.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const koffi = require('koffi') as Koffi;
  const lib = koffi.load('libc.so.6');
  const syscall = lib.func('long syscall(long number)');
  return {
    koffi,
    open: lib.func('int open(const char *path, int flags, uint32_t mode)'),
    close: lib.func('int close(int fd)'),
    ioctlPtr: lib.func('ioctl', 'int', ['int', 'unsigned long', 'void *']) as any,
    ioctlInt: lib.func('ioctl', 'int', ['int', 'unsigned long', 'unsigned long']) as any,
    mmap: lib.func('void *mmap(void *addr, size_t length, int prot, int flags, int fd, int64_t offset)'),
    munmap: lib.func('int munmap(void *addr, size_t length)'),
    mprotect: lib.func('int mprotect(uintptr_t addr, size_t length, int prot)'),
    memfdCreate: lib.func('int memfd_create(const char *name, unsigned int flags)'),
    ftruncate: lib.func('int ftruncate(int fd, int64_t length)'),
    pread: lib.func('long pread(int fd, void *buf, size_t count, int64_t offset)'),
    strerror: lib.func('const char *strerror(int errnum)'),
    gettid: () => Number(syscall(SYS_GETTID)),
    getpid: lib.func('int getpid()'),
    sigaction: lib.func('int sigaction(int signo, void *act, void *old)'),
    dlsym: lib.func('void *dlsym(void *handle, const char *name)'),
    timerCreate: lib.func('int timer_create(int clock, void *sevp, void *timerid)'),
    timerSettime: lib.func('int timer_settime(intptr_t timerid, int flags, void *value, void *old)'),
    timerDelete: lib.func('int timer_delete(intptr_t timerid)'),
  };
}

const EINTR = 4;

/**
 * Calls `call` again while it fails with EINTR, for calls that a signal can interrupt before they
 * did anything (KVM_CREATE_VM gives up when a signal, such as a profiler's SIGPROF, is pending
 * while it registers its MMU notifier). Returns the last result.
 */
export function retryInterrupted(call: () => number): number {
  for (;;) {
    const result = call();
    if (result >= 0 || libc().koffi.errno() !== EINTR) return result;
  }
}

/** Throws KvmError(kind) with the errno text when a call returned -1. */
export function check(result: number, kind: ConstructorParameters<typeof KvmError>[0], what: string): number {
  if (result >= 0) return result;
  const c = libc();
  const errno = c.koffi.errno();
  throw new KvmError(kind, `${what} failed: ${c.strerror(errno)} (errno ${errno})`, errno);
}
