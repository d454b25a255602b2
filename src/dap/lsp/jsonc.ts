// Reads "JSON with comments" as VS Code writes launch.json: // and /* */ comments and trailing
// commas are accepted. Comments and trailing commas are blanked (not removed) so JSON.parse error
// positions still point into the original text.

/** Text with comments and trailing commas replaced by spaces; strings are left untouched. */
export function blankJsoncExtras(text: string): string {
  const out = text.split('');
  let i = 0;
  const blank = (from: number, to: number) => { for (let k = from; k < to; k++) if (out[k] !== '\n' && out[k] !== '\r') out[k] = ' '; };
  let lastComma = -1;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      lastComma = -1;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      blank(i, stop);
      i = stop;
    } else {
      if (c === ',') lastComma = i;
      else if ((c === '}' || c === ']') && lastComma >= 0) { out[lastComma] = ' '; lastComma = -1; } else if (!/\s/.test(c)) lastComma = -1;
      i++;
    }
  }
  return out.join('');
}

export interface JsoncSyntaxError { message: string; line: number; column: number }

/** Parses JSONC; on a syntax error returns its message with a 1-based line and column. */
export function parseJsonc(text: string): { value: unknown } | { error: JsoncSyntaxError } {
  const cleaned = blankJsoncExtras(text);
  try {
    return { value: JSON.parse(cleaned) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = Number(/position (\d+)/.exec(message)?.[1] ?? 0);
    const before = cleaned.slice(0, position).split('\n');
    return { error: { message, line: before.length, column: before[before.length - 1].length + 1 } };
  }
}
