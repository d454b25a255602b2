// Matching an editor's file to the source paths recorded in a guest's DWARF (decl_file and line
// table file names, DWARF 5 §6.2.4): through the launch configuration's `sourceMap` (build-time
// prefix -> local prefix), the same absolute path, or else the recorded path sharing the longest
// run of trailing path components (a guest built in another checkout or container).


function components(path: string): string[] {
  return path.split(/[\\/]+/).filter((c) => c !== '' && c !== '.');
}

/** Number of equal trailing components of two paths (0 when even the file names differ). */
export function commonSuffixLength(a: string, b: string): number {
  const x = components(a), y = components(b);
  let n = 0;
  while (n < x.length && n < y.length && x[x.length - 1 - n] === y[y.length - 1 - n]) n++;
  return n;
}

/** The recorded path that names `localPath`: exact match first, else the longest suffix match. */
export function matchSourcePath(localPath: string, recorded: Iterable<string>): string | undefined {
  let best: string | undefined, bestLength = 0;
  for (const candidate of recorded) {
    if (candidate === localPath) return candidate;
    const length = commonSuffixLength(candidate, localPath);
    if (length > bestLength) { best = candidate; bestLength = length; }
  }
  return best;
}


/** launch.json `sourceMap`: build-time path prefixes (as DWARF records them) -> local prefixes. */
export type SourceMap = Readonly<Record<string, string>>;

function withPrefix(path: string, from: string, to: string): string | undefined {
  const base = from.replace(/[\\/]+$/, '');
  if (path !== base && !path.startsWith(`${base}/`)) return undefined;
  return to.replace(/[\\/]+$/, '') + path.slice(base.length);
}

/** The local path of a recorded path (first matching prefix), or the recorded path itself. */
export function toLocalPath(recorded: string, map: SourceMap): string {
  for (const [remote, local] of Object.entries(map)) {
    const mapped = withPrefix(recorded, remote, local);
    if (mapped !== undefined) return mapped;
  }
  return recorded;
}

/** Recorded paths an editor path may correspond to through the map. */
export function toRecordedPaths(localPath: string, map: SourceMap): string[] {
  return Object.entries(map).flatMap(([remote, local]) => withPrefix(localPath, local, remote) ?? []);
}
