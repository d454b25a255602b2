// Makes KVM_RUN return regularly so a vCPU thread can serve commands (pause, registers) even while
// guest code runs natively without exits: a per-thread POSIX timer (timer_create with
// SIGEV_THREAD_ID) sends KICK_SIGNAL to the vCPU thread every period; a pending signal makes KVM_RUN
// return -EINTR with exit reason KVM_EXIT_INTR (api.rst 4.10). The handler does nothing (it is
// libc's getpid, which is async-signal-safe and ignores its argument); it is installed without
// SA_RESTART, though KVM_RUN is never restarted anyway.
import { CLOCK_MONOTONIC, check, libc } from './libc';

/** A real-time signal Node and libuv leave alone (glibc's SIGRTMIN is 34). */
export const KICK_SIGNAL = 40;
const SIGEV_THREAD_ID = 4;
const SIGACTION_BYTES = 152;        // glibc struct sigaction on x86-64
const SIGACTION_FLAGS_OFFSET = 136;
const SIGEVENT_BYTES = 64;

let handlerInstalled = false;

function installHandler(): void {
  if (handlerInstalled) return;
  const c = libc();
  const handler = c.dlsym(null, 'getpid');
  if (handler === null) throw new Error('dlsym(getpid) found nothing');
  const act = new Uint8Array(SIGACTION_BYTES);
  const v = new DataView(act.buffer);
  v.setBigUint64(0, c.koffi.address(handler), true);
  v.setInt32(SIGACTION_FLAGS_OFFSET, 0, true);
  check(c.sigaction(KICK_SIGNAL, act, null), 'vmSetup', `sigaction(${KICK_SIGNAL})`);
  handlerInstalled = true;
}

export class KickTimer {
  private readonly timerId: bigint;

  /** Creates the timer for the calling thread; start() arms it. */
  constructor() {
    const c = libc();
    installHandler();
    const sev = new Uint8Array(SIGEVENT_BYTES);
    const v = new DataView(sev.buffer);
    v.setInt32(8, KICK_SIGNAL, true);          // sigev_signo
    v.setInt32(12, SIGEV_THREAD_ID, true);     // sigev_notify
    v.setInt32(16, c.gettid(), true);          // _sigev_un._tid
    const id = new Uint8Array(8);
    check(c.timerCreate(CLOCK_MONOTONIC, sev, id), 'vmSetup', 'timer_create for the vCPU kick');
    this.timerId = new DataView(id.buffer).getBigInt64(0, true);
  }

  /** Fires every `periodMs` until stop(). */
  start(periodMs: number): void { this.arm(periodMs); }

  stop(): void { this.arm(0); }

  dispose(): void { libc().timerDelete(this.timerId); }

  private arm(periodMs: number): void {
    const spec = new Uint8Array(32);   // struct itimerspec: it_interval, it_value (each tv_sec, tv_nsec)
    const v = new DataView(spec.buffer);
    const sec = BigInt(Math.floor(periodMs / 1000));
    const nsec = BigInt(Math.round((periodMs % 1000) * 1e6));
    v.setBigInt64(0, sec, true); v.setBigInt64(8, nsec, true);
    v.setBigInt64(16, sec, true); v.setBigInt64(24, nsec, true);
    check(libc().timerSettime(this.timerId, 0, spec, null), 'ioctl', 'timer_settime for the vCPU kick');
  }
}
