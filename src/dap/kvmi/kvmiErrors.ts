// Typed failures of the KVMI client: a command the VMM answered with a KVMI error code (KVMI
// reference §6), a command or wait that timed out, a connection that ended, and misuse such as
// answering an event twice.
import { KVMI_ERR } from '../../vmm/kvmi';

const NAME_OF_CODE = new Map<number, string>(Object.entries(KVMI_ERR).map(([name, code]) => [code, `KVM_${name}`]));

/** "KVM_EINVAL" for -22; "unknown error N" otherwise. */
export function kvmiErrorName(code: number): string {
  return NAME_OF_CODE.get(code) ?? `unknown error ${code}`;
}

/** The VMM answered a command with a non-zero kvmi_error_code.err. */
export class KvmiCommandError extends Error {
  override readonly name = 'KvmiCommandError';
  /** The error code as sent (negative, e.g. -22). */
  readonly code: number;
  /** Its name, e.g. "KVM_EINVAL". */
  readonly codeName: string;
  constructor(readonly command: string, code: number) {
    super(`${command} failed with -${kvmiErrorName(code)} (${code})`);
    this.code = code;
    this.codeName = kvmiErrorName(code);
  }
}

/** No reply or event within the allowed time. */
export class KvmiTimeoutError extends Error {
  override readonly name = 'KvmiTimeoutError';
}

/** The connection ended before the operation could complete. */
export class KvmiClosedError extends Error {
  override readonly name = 'KvmiClosedError';
}

/** The caller used the API wrongly (reply twice, reply to a VM event, bad argument). */
export class KvmiUsageError extends Error {
  override readonly name = 'KvmiUsageError';
}
