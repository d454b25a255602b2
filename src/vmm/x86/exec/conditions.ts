// Condition-code evaluation for Jcc/SETcc/CMOVcc (SDM Vol. 1 Appendix B, Table B-1).

import { CF, OF, PF, SF, ZF } from '../registers';

/** True when condition `cc` (0..15, tttn encoding) holds for `flags`. */
export function condition(flags: number, cc: number): boolean {
  let r: boolean;
  switch (cc >> 1) {
    case 0: r = (flags & OF) !== 0; break;
    case 1: r = (flags & CF) !== 0; break;
    case 2: r = (flags & ZF) !== 0; break;
    case 3: r = (flags & (CF | ZF)) !== 0; break;
    case 4: r = (flags & SF) !== 0; break;
    case 5: r = (flags & PF) !== 0; break;
    case 6: r = ((flags & SF) !== 0) !== ((flags & OF) !== 0); break;
    default: r = (flags & ZF) !== 0 || ((flags & SF) !== 0) !== ((flags & OF) !== 0); break;
  }
  return (cc & 1) === 0 ? r : !r;
}
