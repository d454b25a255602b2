// Typed errors of the KVMI codec. Decoding problems carry the KVMI error code the peer must be told
// (the negative wire value, KVMI reference §6) and whether the protocol requires closing the socket
// (KVMI reference §2.1 "hard errors"). Encoding problems and malformed layout definitions have their
// own classes so a caller can tell its own bad input apart from a bad peer.

/** A received message that the protocol rejects. */
export class KvmiDecodeError extends Error {
  override readonly name = 'KvmiDecodeError';
  /** The KVMI error code to report (negative, e.g. -22 for -KVM_EINVAL). */
  readonly code: number;
  /** True when the protocol says the socket must be closed instead of answering. */
  readonly hard: boolean;
  /** Dotted path of the offending field, when one field is to blame (e.g. "entries[2].padding"). */
  readonly field: string | undefined;
  /** Message id and sequence number of the offending message, when known, so an error reply can be sent. */
  readonly msgId: number | undefined;
  readonly seq: number | undefined;

  constructor(message: string, opts: { code: number; hard: boolean; field?: string; msgId?: number; seq?: number }) {
    super(message);
    this.code = opts.code;
    this.hard = opts.hard;
    this.field = opts.field;
    this.msgId = opts.msgId;
    this.seq = opts.seq;
  }
}

/** A value handed to an encoder that cannot be represented on the wire (out of range, wrong length). */
export class KvmiEncodeError extends Error {
  override readonly name = 'KvmiEncodeError';
  /** Dotted path of the offending field. */
  readonly field: string;
  /** What is wrong with it, without the path. */
  readonly reason: string;

  constructor(field: string, reason: string) {
    super(`${field}: ${reason}`);
    this.field = field;
    this.reason = reason;
  }

  /** The same error seen from the enclosing struct (`outer.field`). */
  within(outer: string): KvmiEncodeError {
    return new KvmiEncodeError(`${outer}.${this.field}`, this.reason);
  }
}

/** A layout definition whose declared size disagrees with natural alignment (caught at module load). */
export class KvmiLayoutError extends Error {
  override readonly name = 'KvmiLayoutError';
}
