// Keeps KVM's view of guest RAM in step with the KVMI page access array (kvmi-protocol.md section 5):
// a frame whose access is restricted gets a host protection on the KVM-side mapping only, so that
// a natively executed guest access to it fails inside KVM's MMU fault path and KVM_RUN returns
// -EFAULT *before* the instruction (kvm-facts.md, "Exact write events", mechanism B). The access is
// then executed by the software engine, which applies the exact KVMI rules. Frames without W stay
// readable (PROT_READ); frames without R or X are made PROT_NONE (a host mapping cannot forbid
// only execution). Frames can also be hidden from KVM altogether (PROT_NONE) for hybrid execution:
// the pages of the guest kernel's entry points, so that a kernel entry taken inside KVM stops
// before its first instruction. The VMM's own mapping of the memfd stays writable throughout.
// Every separately protected run of frames is a mapping of its own, and the host allows a process
// vm.max_map_count of them (65,530 by default). Reaching that limit would also make every other
// allocation of the process fail (V8's heap grows by mapping memory), so the protection uses at
// most the limit minus MAPPING_HEADROOM. A change that would need more (or that mprotect refuses
// with ENOMEM anyway) is kept for the next sync and `overLimit` is set: the vCPU must not run in
// KVM (KVM could touch those frames unseen) until a sync applies everything again.
import { PAGE_ACCESS_ALL, PAGE_ACCESS_R, PAGE_ACCESS_W, PAGE_ACCESS_X } from '../engine/engine';
import { readFileSync } from 'node:fs';
import { check, libc, PROT_NONE, PROT_READ, PROT_WRITE } from './libc';

const PAGE = 4096;
/** mprotect's errno when the process would exceed vm.max_map_count mappings (mprotect(2)). */
const ENOMEM = 12;
/** Mappings left to the rest of the process (heaps, thread stacks, libraries): node uses a few thousand. */
export const MAPPING_HEADROOM = 16384;

/** The host's limit of memory mappings per process (vm.max_map_count; the kernel's default if unreadable). */
export function hostMappingLimit(): number {
  try { return Number(readFileSync('/proc/sys/vm/max_map_count', 'utf8')) || 65530; } catch { return 65530; }
}

/** The mappings guest-RAM protection may add: the host's limit less MAPPING_HEADROOM. */
export function defaultMappingBudget(): number {
  return Math.max(0, hostMappingLimit() - MAPPING_HEADROOM);
}

/** Host protection of the KVM-side mapping for a KVMI access value. */
export function hostProtection(access: number): number {
  if (access === PAGE_ACCESS_ALL) return PROT_READ | PROT_WRITE;
  if ((access & PAGE_ACCESS_R) && (access & PAGE_ACCESS_X) && !(access & PAGE_ACCESS_W)) return PROT_READ;
  return PROT_NONE;
}

export class PageProtection {
  /** The protection applied per frame, as host PROT_* values. */
  private readonly applied: Uint8Array;
  private restricted = 0;
  /** Frames hidden from KVM regardless of their KVMI access. */
  private hidden = new Set<number>();
  /** The KVMI access of each frame as syncAll() last saw it. */
  private readonly seen: Uint8Array;
  /** Frames whose hiding or access changed since the last sync(). */
  private readonly changed = new Set<number>();

  /** Frames f whose applied protection differs from frame f + 1's: each adds a mapping. */
  private boundaries = 0;

  constructor(private readonly kvmMappingAddress: bigint, private readonly access: Uint8Array,
    private readonly mappingBudget = defaultMappingBudget()) {
    this.applied = new Uint8Array(access.length).fill(PROT_READ | PROT_WRITE);
    this.seen = new Uint8Array(access.length).fill(PAGE_ACCESS_ALL);
  }

  /** True when some frame is protected (an EFAULT from KVM_RUN may then be an access to it). */
  get anyRestricted(): boolean { return this.restricted > 0; }

  /** The last sync could not apply every frame: the host's limit of mappings was reached. */
  overLimit = false;

  isHidden(gfn: number): boolean { return this.hidden.has(gfn); }

  /** True when KVMI access restricts the frame (hidden frames aside). */
  isRestricted(gfn: number): boolean { return gfn >= 0 && gfn < this.access.length && this.access[gfn] !== PAGE_ACCESS_ALL; }

  /** Replaces the set of hidden frames (applied by the next sync()). */
  setHidden(frames: Iterable<number>): void {
    const next = new Set<number>();
    for (const f of frames) if (f >= 0 && f < this.access.length) next.add(f);
    for (const f of this.hidden) if (!next.has(f)) this.changed.add(f);
    for (const f of next) if (!this.hidden.has(f)) this.changed.add(f);
    this.hidden = next;
  }

  unhide(gfn: number): void {
    if (this.hidden.delete(gfn)) this.changed.add(gfn);
  }

  private wanted(gfn: number): number {
    return this.hidden.has(gfn) ? PROT_NONE : hostProtection(this.access[gfn]);
  }

  /**
   * Applies the frames whose hiding (or, through syncAll, access) changed since the last call. It
   * runs on every return to ring 3 after kernel code in hybrid mode, so it looks at those frames
   * only, not at all of RAM.
   */
  sync(): void {
    if (this.changed.size === 0) return;
    const frames = [...this.changed].sort((a, b) => a - b);
    this.changed.clear();
    for (let i = 0; i < frames.length;) {
      const gfn = frames[i++];
      const prot = this.wanted(gfn);
      if (prot === this.applied[gfn]) continue;
      let end = gfn + 1;
      while (i < frames.length && frames[i] === end && this.wanted(end) === prot && this.applied[end] !== prot) { end++; i++; }
      if (!this.apply(gfn, end, prot)) for (let f = gfn; f < end; f++) this.changed.add(f);
    }
    this.overLimit = this.changed.size > 0;
  }

  /**
   * After the KVMI access array changed: finds the frames whose access differs from the last call
   * (comparing four frames per step, so a 1 GiB guest's 262,144 frames take a fraction of a
   * millisecond) and applies them together with any change of hiding.
   */
  syncAll(): void {
    const { access, seen } = this;
    const words = access.byteOffset % 4 === 0 ? access.length >>> 2 : 0;
    const now = words > 0 ? new Uint32Array(access.buffer, access.byteOffset, words) : undefined;
    const before = words > 0 ? new Uint32Array(seen.buffer, 0, words) : undefined;
    for (let w = 0; w < words; w++) {
      if (now![w] === before![w]) continue;
      for (let f = w * 4; f < w * 4 + 4; f++) this.noteAccess(f);
    }
    for (let f = words * 4; f < access.length; f++) this.noteAccess(f);
    this.sync();
  }

  private noteAccess(gfn: number): void {
    const value = this.access[gfn];
    if (value === this.seen[gfn]) return;
    this.seen[gfn] = value;
    this.changed.add(gfn);
  }

  /** One mprotect for frames [from, to), none of which is at `prot` yet; false if over the budget of mappings. */
  private apply(from: number, to: number, prot: number): boolean {
    const applied = this.applied;
    const first = Math.max(from - 1, 0), last = Math.min(to, applied.length - 1);
    let before = 0;
    for (let f = first; f < last; f++) if (applied[f] !== applied[f + 1]) before++;
    const after = (from > 0 && applied[from - 1] !== prot ? 1 : 0) + (to < applied.length && applied[to] !== prot ? 1 : 0);
    if (after > before && this.boundaries + after - before > this.mappingBudget) return false;
    const c = libc();
    const result = c.mprotect(this.kvmMappingAddress + BigInt(from * PAGE), (to - from) * PAGE, prot);
    if (result < 0 && c.koffi.errno() === ENOMEM) return false;
    check(result, 'ioctl', `mprotect of guest frames 0x${from.toString(16)}-0x${(to - 1).toString(16)}`);
    for (let f = from; f < to; f++) {
      const wasFull = this.applied[f] === (PROT_READ | PROT_WRITE);
      this.applied[f] = prot;
      this.restricted += wasFull ? 1 : prot === (PROT_READ | PROT_WRITE) ? -1 : 0;
    }
    this.boundaries += after - before;
    return true;
  }
}
