// Icon file (in media/) for each access kind: a diamond, unlike VS Code's round breakpoint dots,
// marked W, R, RW or X, used in the gutter and the Watchpoints view.
import type { WatchAccess } from '../configurationTypes';

const iconFiles: Record<WatchAccess, string> = {
  write: 'watch-write.svg', read: 'watch-read.svg', readWrite: 'watch-readwrite.svg', execute: 'watch-execute.svg',
};

export function iconFileFor(access: WatchAccess): string {
  return iconFiles[access];
}
