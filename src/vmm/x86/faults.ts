// Typed failures of the CPU core. A CpuException is an architectural exception that the core
// delivers to the guest through the IDT/IVT; a KvmiAccessEvent abandons the current instruction to
// report a KVMI PF event (KVMI v12 section 5); a DecodeFault says why bytes are not an instruction.

/**
 * Base of the core's control-flow signals (architectural exceptions, KVMI access events, decode
 * faults): thrown and caught inside the core on every guest fault, so they capture no stack trace.
 * V8's capture cost ~35 us per exception here, half of a whole guest system call in the core.
 */
class CoreSignal extends Error {
  constructor(message: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

/** An architectural fault or trap raised while executing one instruction (SDM Vol. 3A 6.15). */
export class CpuException extends CoreSignal {
  constructor(readonly vector: number, readonly errorCode: number | undefined = undefined,
    readonly cr2: number | undefined = undefined) {
    super(`x86 exception #${vector}${errorCode === undefined ? '' : ` (error code 0x${errorCode.toString(16)})`}`);
  }
}

/** A restricted guest frame was about to be accessed while KVMI PF events are enabled. */
export class KvmiAccessEvent extends CoreSignal {
  constructor(readonly gva: bigint, readonly gpa: number, readonly access: 1 | 2 | 4) {
    super(`KVMI page-access event: ${['', 'read', 'write', '', 'execute'][access]} of gpa 0x${gpa.toString(16)}`);
  }
}

/** Why a byte sequence does not decode (SDM Vol. 2A 2.1: length limit, unknown opcode, bad form). */
export type DecodeFaultReason = 'tooLong' | 'undefinedOpcode' | 'invalidInMode' | 'registerFormRequired'
  | 'memoryFormRequired' | 'lockNotAllowed' | 'truncated';

/** The result of decoding bytes that are not a valid instruction in the current mode (#UD or #GP). */
export class DecodeFault extends CoreSignal {
  constructor(readonly reason: DecodeFaultReason, readonly length: number) {
    super(`cannot decode instruction: ${reason} after ${length} byte(s)`);
  }
}

/** The CPU met a condition it cannot continue from (triple fault, invalid state given by the host). */
export class CpuShutdown extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}
