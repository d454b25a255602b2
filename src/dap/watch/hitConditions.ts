// The user-facing filters of a breakpoint hit: hit conditions ("5", "=5", ">5", ">=5", "%3"), as
// VS Code's breakpoint UI offers them, and log messages with {expression} interpolation.

export class HitConditionError extends Error {
  constructor(message: string) { super(message); this.name = 'HitConditionError'; }
}

export type HitTest = (hits: number) => boolean;

/** Parses a hit condition; throws HitConditionError for text it does not understand. */
export function parseHitCondition(text: string): HitTest {
  const m = /^\s*(==|=|>=|>|<=|<|%)?\s*(\d+)\s*$/.exec(text);
  if (!m) throw new HitConditionError(`hit condition "${text}" is not understood: use N, =N, >N, >=N, <N, <=N or %N`);
  const n = Number(m[2]);
  switch (m[1]) {
    case undefined: case '=': case '==': return (h) => h === n;
    case '>': return (h) => h > n;
    case '>=': return (h) => h >= n;
    case '<': return (h) => h < n;
    case '<=': return (h) => h <= n;
    default:
      if (n === 0) throw new HitConditionError('hit condition "%0" divides by zero');
      return (h) => h % n === 0;
  }
}

/** Replaces each {expression} in `template` with what `evaluate` gives (or the error text). */
export async function interpolateLogMessage(template: string, evaluate: (expression: string) => Promise<string>): Promise<string> {
  const parts = template.split(/(\{[^{}]+\})/);
  const out: string[] = [];
  for (const part of parts) {
    if (part.startsWith('{') && part.endsWith('}')) {
      try { out.push(await evaluate(part.slice(1, -1))); } catch (error) { out.push(`<${(error as Error).message}>`); }
    } else out.push(part);
  }
  return out.join('');
}
