// Typed errors of the guest-symbol language server: a guest ELF that cannot be indexed, or a
// workspace file (launch.json) that cannot be read. The server turns them into messages and
// diagnostics; callers tell cases apart by `kind`, not by message text.

export type GuestLoadErrorKind = 'missing' | 'unreadable' | 'notElf' | 'debugInfo';

export class GuestLoadError extends Error {
  override readonly name = 'GuestLoadError';
  constructor(readonly kind: GuestLoadErrorKind, readonly path: string, message: string) {
    super(message);
  }
}

export class LaunchJsonError extends Error {
  override readonly name = 'LaunchJsonError';
  /** 1-based line and column of the problem in launch.json. */
  constructor(readonly path: string, readonly line: number, readonly column: number, message: string) {
    super(`${path}:${line}:${column}: ${message}`);
  }
}
