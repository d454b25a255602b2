// What the running debug session reports through `kvmi/sessionState`: watchpoints with hit counts,
// KVMI page restrictions and rendered values. Answers "which of these concern the object at
// [address, address + size)" for hovers and code lenses.
import { parseAddressSetting } from './addresses';
import type { PageRestriction, SessionState, SessionWatchpoint, SymbolValue } from './protocol';
import { framesOf, type FrameSpan } from './pageFrames';

export class LiveSession {
  private state: SessionState | undefined;

  update(state: SessionState): void { this.state = state; }

  get active(): boolean { return this.state?.active === true; }
  get guest(): string | undefined { return this.active ? this.state?.guest : undefined; }

  /** Session watchpoints whose bytes overlap [address, address + size). */
  watchpointsOn(address: bigint, size: number): SessionWatchpoint[] {
    if (!this.active) return [];
    const end = address + BigInt(Math.max(size, 1));
    return this.state!.watchpoints.filter((w) => {
      const start = parseAddressSetting(w.address);
      return start !== undefined && start < end && start + BigInt(Math.max(w.size, 1)) > address;
    });
  }

  /** Page restrictions on the frames of the object at guest-physical `physical`. */
  restrictionsOn(physical: bigint, size: number): PageRestriction[] {
    if (!this.active) return [];
    const span: FrameSpan = framesOf(physical, size);
    return this.state!.restrictions.filter((r) => {
      const gfn = parseAddressSetting(r.gfn);
      return gfn !== undefined && gfn >= span.first && gfn <= span.last;
    });
  }

  valueOf(symbol: string, address: bigint): SymbolValue | undefined {
    if (!this.active) return undefined;
    return this.state!.values?.find((v) => v.symbol === symbol && parseAddressSetting(v.address) === address);
  }

  persistedWatchpoints(): SessionState['persistedWatchpoints'] { return this.state?.persistedWatchpoints; }
}

/** "r-x": the accesses a restricted page still allows. */
export function describeRestriction(r: PageRestriction): string {
  return `${r.read ? 'r' : '-'}${r.write ? 'w' : '-'}${r.execute ? 'x' : '-'}`;
}
