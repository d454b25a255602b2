// Typed errors for the ELF/DWARF reader. Every malformed-input path raises a DebugInfoError with
// a machine-readable kind, so callers (debug adapter, language server) can tell a truncated file
// from an unsupported one without parsing message text.

/** What went wrong while reading debug information. */
export type DebugInfoErrorKind =
  | 'truncated'        // a read ran past the end of the file or of a section
  | 'badMagic'         // not an ELF file
  | 'unsupported'      // valid but outside what this reader handles (e.g. big DWARF version)
  | 'badOffset'        // an offset or index points outside its table/section
  | 'badStringIndex'   // a string table index is out of range
  | 'malformed'        // structurally invalid content
  | 'unreadable';      // the file itself could not be read (missing, permissions)

export class DebugInfoError extends Error {
  override readonly name = 'DebugInfoError';
  /** True when this wraps an unexpected exception rather than a recognised input defect. */
  unexpected = false;

  constructor(readonly kind: DebugInfoErrorKind, message: string, readonly offset?: number) {
    super(offset === undefined ? message : `${message} (at offset 0x${offset.toString(16)})`);
  }
}

/** Wraps a non-DebugInfoError exception (a bug or a platform error) into a typed one. */
export function asDebugInfoError(error: unknown, context: string): DebugInfoError {
  if (error instanceof DebugInfoError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  const wrapped = new DebugInfoError('malformed', `${context}: ${detail}`);
  wrapped.unexpected = true;
  return wrapped;
}
