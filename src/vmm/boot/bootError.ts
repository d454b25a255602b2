// Errors of the boot step that are not about the ELF file's own structure: a missing entry point
// for the chosen protocol, guest data colliding with the loader's area, too little RAM.

export type BootErrorKind = 'noPvhNote' | 'noBootProtocol' | 'overlapsBootArea' | 'ramTooSmall' | 'imageTooLarge' | 'entryOutsideRam';

export class BootError extends Error {
  constructor(readonly kind: BootErrorKind, message: string) {
    super(message);
    this.name = 'BootError';
  }
}
