// The set of active watchpoints and the page restrictions they need. KVMI restricts whole 4 KiB
// frames (reference section 5, "Granularity"), VM-wide; this table keeps the byte ranges, combines
// the restrictions of watchpoints sharing a frame, and after any change says exactly which frames
// need new access bits, so removing one watchpoint restores what the others still need.
import { PAGE_RWX, type PageAccessEntry } from '../target';
import { deniedBits, frameOf, type PhysicalPiece, type Watchpoint, type WatchpointSpec } from './watchpoint';

export class WatchpointError extends Error {
  constructor(message: string) { super(message); this.name = 'WatchpointError'; }
}

export class WatchpointTable {
  private readonly byId = new Map<number, Watchpoint>();
  /** Access bits currently applied per frame (absent = full access). */
  private readonly applied = new Map<bigint, number>();
  private nextId = 1;

  get all(): Watchpoint[] { return [...this.byId.values()]; }
  get(id: number): Watchpoint | undefined { return this.byId.get(id); }

  /** Adds a watchpoint whose range has already been resolved to physical pieces. */
  add(spec: WatchpointSpec, pieces: PhysicalPiece[]): Watchpoint {
    if (spec.length <= 0) throw new WatchpointError(`watchpoint on ${spec.label}: length must be at least 1 byte`);
    const total = pieces.reduce((n, p) => n + p.length, 0);
    if (total !== spec.length) throw new WatchpointError(`watchpoint on ${spec.label}: pieces cover ${total} bytes, not ${spec.length}`);
    const wp: Watchpoint = { ...spec, id: this.nextId++, pieces, hits: 0 };
    this.byId.set(wp.id, wp);
    return wp;
  }

  remove(id: number): boolean { return this.byId.delete(id); }
  clear(): void { this.byId.clear(); }

  /** The access bits each restricted frame needs now. */
  requiredAccess(): Map<bigint, number> {
    const need = new Map<bigint, number>();
    for (const wp of this.byId.values()) {
      for (const piece of wp.pieces) {
        const frame = frameOf(piece.gpa);
        need.set(frame, (need.get(frame) ?? PAGE_RWX) & ~deniedBits(wp.access));
      }
    }
    return need;
  }

  /**
   * The SET_PAGE_ACCESS entries that bring the applied state to the required one (frames no
   * longer watched go back to rwx), and records them as applied. Call after add/remove.
   */
  pendingChanges(): PageAccessEntry[] {
    const need = this.requiredAccess();
    const changes: PageAccessEntry[] = [];
    for (const [frame, access] of need) if (this.applied.get(frame) !== access) changes.push({ gpa: frame, access });
    for (const frame of this.applied.keys()) if (!need.has(frame)) changes.push({ gpa: frame, access: PAGE_RWX });
    this.applied.clear();
    for (const [frame, access] of need) this.applied.set(frame, access);
    return changes.sort((a, b) => (a.gpa < b.gpa ? -1 : a.gpa > b.gpa ? 1 : 0));
  }

  /** Access bits applied to the frame of `gpa` (PAGE_RWX when unrestricted). */
  appliedAccess(gpa: bigint): number { return this.applied.get(frameOf(gpa)) ?? PAGE_RWX; }

  /** Frames with restrictions, for listing. */
  restrictedFrames(): Map<bigint, number> { return new Map(this.applied); }

  /** Watchpoints whose bytes overlap [gpa, gpa+length) and whose access kinds include `accessBit`. */
  matching(gpa: bigint, length: number, accessBit: number): Watchpoint[] {
    const end = gpa + BigInt(Math.max(1, length));
    return this.all.filter((wp) => (deniedBits(wp.access) & accessBit) !== 0
      && wp.pieces.some((p) => p.gpa < end && gpa < p.gpa + BigInt(p.length)));
  }
}
