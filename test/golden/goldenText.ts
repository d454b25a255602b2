// Golden transcripts: a scenario logs the DAP messages that matter, sanitised (repository paths,
// temporary directories and hexadecimal addresses, which vary with engine and build, become
// placeholders), and the result is compared with test/golden/<name>.txt. A missing golden is
// written; RESET_RESULTS=1 rewrites all; a mismatch leaves <name>.txt.actual for diffing.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

export function sanitise(text: string): string {
  return text
    .split(root).join('${root}')
    .replace(/\/tmp\/[A-Za-z0-9._-]+/g, '${tmp}')
    .replace(/0x[0-9a-f]{3,}/gi, '<addr>');
}

export class GoldenText {
  private readonly lines: string[] = [];

  constructor(readonly name: string) {}

  log(label: string, value?: unknown): void {
    const body = value === undefined ? '' : ` ${JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v), 2)}`;
    this.lines.push(sanitise(`${label}${body}`));
  }

  get text(): string { return `${this.lines.join('\n')}\n`; }

  /** Compares with the stored golden; returns a message on mismatch, undefined when equal or (re)written. */
  check(): string | undefined {
    const file = join(__dirname, `${this.name}.txt`);
    const actualFile = `${file}.actual`;
    if (process.env.RESET_RESULTS || !existsSync(file)) {
      writeFileSync(file, this.text);
      rmSync(actualFile, { force: true });
      return undefined;
    }
    if (readFileSync(file, 'utf8') === this.text) { rmSync(actualFile, { force: true }); return undefined; }
    writeFileSync(actualFile, this.text);
    return `transcript differs from ${file}; see ${actualFile} (RESET_RESULTS=1 accepts it)`;
  }
}
