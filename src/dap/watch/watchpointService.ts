// Creates and removes watchpoints on the live target: resolves a guest-virtual range to physical
// pieces through a vCPU's page tables once, when the watchpoint is set (remapping policy: the
// watchpoint stays on those frames even if the guest later maps the virtual range elsewhere; set
// it again to follow a new mapping), then sends the page restrictions that changed
// (KVMI_VM_SET_PAGE_ACCESS, at most 511 entries per message, reference section 5).
import type { GuestMemory } from '../memory/guestMemory';
import type { IntrospectionTarget } from '../target';
import { splitAtPages, type PhysicalPiece, type Watchpoint, type WatchpointOrigin, type WatchpointSpec } from './watchpoint';
import { WatchpointError, type WatchpointTable } from './watchpointTable';
import { parseHitCondition } from './hitConditions';

export const MAX_ENTRIES_PER_MESSAGE = 511;

export class WatchpointService {
  constructor(
    private readonly target: IntrospectionTarget,
    private readonly memory: GuestMemory,
    readonly table: WatchpointTable,
  ) {}

  async resolve(spec: WatchpointSpec, vcpu: number): Promise<PhysicalPiece[]> {
    if (spec.length > 64 * 1024 * 1024) throw new WatchpointError(`watchpoint on ${spec.label}: ${spec.length} bytes is more than 64 MiB`);
    const pieces: PhysicalPiece[] = [];
    for (const page of splitAtPages(spec.address, spec.length)) {
      if (spec.space === 'physical') { pieces.push({ gpa: page.start, length: page.length }); continue; }
      const gpa = await this.memory.translate(vcpu, page.start);
      if (gpa === undefined) throw new WatchpointError(`watchpoint on ${spec.label}: guest-virtual 0x${page.start.toString(16)} is not mapped`);
      pieces.push({ gpa, length: page.length });
    }
    return pieces;
  }

  /** Adds one watchpoint and applies its restrictions. */
  async add(spec: WatchpointSpec, vcpu: number): Promise<Watchpoint> {
    if (spec.hitCondition) parseHitCondition(spec.hitCondition);
    const wp = this.table.add(spec, await this.resolve(spec, vcpu));
    await this.apply();
    return wp;
  }

  async remove(id: number): Promise<boolean> {
    const removed = this.table.remove(id);
    if (removed) await this.apply();
    return removed;
  }

  /**
   * Replaces every watchpoint of `origin` with `specs` (DAP set* requests send the full list).
   * Hit counts survive for watchpoints that stay the same. Each result is a watchpoint or why not.
   */
  async replace(origin: WatchpointOrigin, specs: WatchpointSpec[], vcpu: number): Promise<(Watchpoint | Error)[]> {
    const old = this.table.all.filter((w) => w.origin === origin);
    for (const w of old) this.table.remove(w.id);
    const results: (Watchpoint | Error)[] = [];
    for (const spec of specs) {
      try {
        if (spec.hitCondition) parseHitCondition(spec.hitCondition);
        const wp = this.table.add(spec, await this.resolve(spec, vcpu));
        const same = old.find((o) => o.address === spec.address && o.length === spec.length && o.access === spec.access && o.space === spec.space);
        if (same) wp.hits = same.hits;
        results.push(wp);
      } catch (error) {
        results.push(error as Error);
      }
    }
    await this.apply();
    return results;
  }

  /** Removes all watchpoints and lifts every restriction. */
  async clear(): Promise<void> {
    this.table.clear();
    await this.apply();
  }

  async apply(): Promise<void> {
    const changes = this.table.pendingChanges();
    for (let i = 0; i < changes.length; i += MAX_ENTRIES_PER_MESSAGE) {
      await this.target.setPageAccess(changes.slice(i, i + MAX_ENTRIES_PER_MESSAGE));
    }
  }
}
