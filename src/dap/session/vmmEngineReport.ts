// Finds, in the VMM's stderr, which engine it runs: the line `kvmi-vmm: engine auto: ENGINE (...)`
// that `--engine auto` prints when it chooses (src/vmm/engine/selectEngine.ts), or the `stats {json}`
// line printed at exit with `--stats` (its "engine" field). Stderr arrives in arbitrary chunks, so
// the reader keeps the unfinished last line until its end arrives.
import type { EngineEventBody } from '../protocol/custom';

const AUTO_CHOICE = /^kvmi-vmm: engine (auto: (kvm|emulator)\b.*)$/;
const STATS = /^stats (\{.*\})$/;

/** The engine a single stderr line reports, or undefined for any other line. */
export function engineReportOf(line: string): EngineEventBody | undefined {
  const choice = AUTO_CHOICE.exec(line.trimEnd());
  if (choice) return { engine: choice[2], reason: choice[1] };
  const stats = STATS.exec(line.trimEnd());
  if (stats) {
    try {
      const engine = (JSON.parse(stats[1]) as { engine?: unknown }).engine;
      if (typeof engine === 'string') return { engine, reason: 'reported by the VMM at exit' };
    } catch {
      return undefined; // not the VMM's stats line after all
    }
  }
  return undefined;
}

/** Feeds stderr chunks; calls `report` for each engine line (a repeat of the same engine is dropped). */
export class VmmEngineReader {
  private pending = '';
  private last: string | undefined;

  constructor(private readonly report: (body: EngineEventBody) => void) {}

  /** Announces an engine the configuration fixed, so no stderr line will name it. */
  known(body: EngineEventBody): void { this.emit(body); }

  write(chunk: string): void {
    const lines = (this.pending + chunk).split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) {
      const body = engineReportOf(line);
      if (body) this.emit(body);
    }
  }

  private emit(body: EngineEventBody): void {
    if (body.engine === this.last) return;
    this.last = body.engine;
    this.report(body);
  }
}
