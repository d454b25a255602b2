// What kvmi-watch does with one VMM connection: at the first PAUSE event (asked for as the
// connection opens) it translates guest-virtual watches through vCPU 0, takes the watched access
// rights away from every page the ranges touch (KVMI reference §5), enables PF events on all vCPUs
// and lets the vCPU go; then each PF whose access overlaps a watched range (from its address for the
// width of the faulting instruction's operand, accessWidth.ts) and whose kind is watched becomes one
// report. Every event is answered CONTINUE. Ends when the connection closes.
import { EVENTS, UNMAPPED_GVA } from '../../vmm/kvmi';
import type { KvmiConnection } from './kvmiConnection';
import type { KvmiVcpuEvent } from './kvmiEvent';
import { accessWidth } from './accessWidth';
import { formatInstruction, readInstructionBytes } from './instructionText';
import { accessLetters, type WatchSpec } from './watchSpec';

/** One guest-physical piece of a watch (a virtual range may map to several pieces). */
export interface WatchedRange { watch: WatchSpec; start: bigint; end: bigint }

export interface WatchReport {
  seq: number;
  vcpu: number;
  access: string;
  gva: string;
  gpa: string;
  rip: string;
  insn: string | null;
  watch: string;
}

export interface WatchSink {
  report(line: WatchReport): void;
  warn(message: string): void;
}

const hex = (v: bigint) => `0x${v.toString(16)}`;
const PAGE = 0x1000n;
const MAX_ENTRIES_PER_COMMAND = 511;

/** The guest-physical pieces of each watch; virtual pages are translated through vCPU 0. */
export async function resolveWatches(conn: KvmiConnection, watches: readonly WatchSpec[], sink: WatchSink): Promise<WatchedRange[]> {
  const ranges: WatchedRange[] = [];
  for (const watch of watches) {
    const end = watch.address + watch.length;
    for (let at = watch.address; at < end;) {
      const pieceEnd = (at & ~(PAGE - 1n)) + PAGE < end ? (at & ~(PAGE - 1n)) + PAGE : end;
      const gpa = watch.virtual ? await conn.translateGva(0, at) : at;
      if (gpa === UNMAPPED_GVA) sink.warn(`--watch ${watch.text}: ${hex(at)} is not mapped through vCPU 0; that page is not watched`);
      else ranges.push({ watch, start: gpa, end: gpa + (pieceEnd - at) });
      at = pieceEnd;
    }
  }
  return ranges;
}

/** Allowed access per page: every watched right taken away (watches on one page combine). */
export function pageRestrictions(ranges: readonly WatchedRange[]): Array<{ gpa: bigint; access: number }> {
  const pages = new Map<bigint, number>();
  for (const r of ranges) {
    for (let page = r.start & ~(PAGE - 1n); page < r.end; page += PAGE) {
      pages.set(page, (pages.get(page) ?? 7) & ~r.watch.access);
    }
  }
  return [...pages].map(([gpa, access]) => ({ gpa, access }));
}

async function arm(conn: KvmiConnection, watches: readonly WatchSpec[], sink: WatchSink): Promise<WatchedRange[]> {
  const ranges = await resolveWatches(conn, watches, sink);
  const restrictions = pageRestrictions(ranges);
  for (let i = 0; i < restrictions.length; i += MAX_ENTRIES_PER_COMMAND) {
    await conn.setPageAccess(restrictions.slice(i, i + MAX_ENTRIES_PER_COMMAND));
  }
  const vcpus = await conn.getVmInfo();
  for (let v = 0; v < vcpus; v++) await conn.controlEvents(v, EVENTS.KVMI_VCPU_EVENT_PF.id, true);
  return ranges;
}

async function report(conn: KvmiConnection, event: Extract<KvmiVcpuEvent, { name: 'KVMI_VCPU_EVENT_PF' }>, range: WatchedRange): Promise<WatchReport> {
  const { regs, mode } = event.common.arch;
  const bytes = await readInstructionBytes(conn, event.vcpu, regs.rip).catch(() => new Uint8Array(0));
  return {
    seq: event.seq, vcpu: event.vcpu, access: accessLetters(event.payload.access),
    gva: hex(event.payload.gva), gpa: hex(event.payload.gpa), rip: hex(regs.rip),
    insn: formatInstruction(bytes, mode, regs.rip) ?? null, watch: range.watch.text,
  };
}

/**
 * The watched range a PF access overlaps, if any. An access starting inside a range needs no
 * decoding; one starting below a range of the same page or the next is decoded for its width.
 */
async function watchedRangeHit(conn: KvmiConnection, event: Extract<KvmiVcpuEvent, { name: 'KVMI_VCPU_EVENT_PF' }>, ranges: readonly WatchedRange[]): Promise<WatchedRange | undefined> {
  const { gpa, access } = event.payload;
  const candidates = ranges.filter((r) => (r.watch.access & access) !== 0 && r.end > gpa);
  const inside = candidates.find((r) => gpa >= r.start);
  if (inside) return inside;
  const near = candidates.filter((r) => r.start - gpa < 2n * PAGE);
  if (near.length === 0) return undefined;
  const { regs, mode } = event.common.arch;
  const bytes = await readInstructionBytes(conn, event.vcpu, regs.rip).catch(() => new Uint8Array(0));
  const end = gpa + BigInt(accessWidth(bytes, mode, regs.rip, access));
  return near.find((r) => r.start < end);
}

/** Serves the connection until it closes. Expects one PAUSE_VCPU for vCPU 0 to have been sent. */
export async function runWatchSession(conn: KvmiConnection, watches: readonly WatchSpec[], sink: WatchSink): Promise<void> {
  let ranges: WatchedRange[] | undefined;
  for await (const event of conn) {
    if (event.scope === 'vm') { conn.close('the VMM is unhooking'); break; }
    try {
      if (event.name === 'KVMI_VCPU_EVENT_PAUSE' && ranges === undefined) ranges = await arm(conn, watches, sink);
      if (event.name === 'KVMI_VCPU_EVENT_PF' && ranges) {
        const hit = await watchedRangeHit(conn, event, ranges);
        if (hit) sink.report(await report(conn, event, hit));
      }
    } catch (e) {
      sink.warn(`while handling ${event.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!event.replied && !conn.isClosed) event.reply('continue');
  }
}

