// Segment-register hidden state (SDM Vol. 3A 3.4.3) and descriptor unpacking (3.4.5). Bases are
// plain numbers: 32-bit values, or for FS/GS in 64-bit mode the canonical address as a signed number.

/** The cached (hidden) part of a segment register, in kvm_segment terms. */
export class SegmentState {
  selector = 0;
  base = 0;
  limit = 0xffff;
  type = 3;
  present = 1;
  dpl = 0;
  db = 0;
  s = 1;
  l = 0;
  g = 0;
  avl = 0;
  unusable = 0;

  copyFrom(o: SegmentState): void {
    this.selector = o.selector; this.base = o.base; this.limit = o.limit; this.type = o.type;
    this.present = o.present; this.dpl = o.dpl; this.db = o.db; this.s = o.s; this.l = o.l;
    this.g = o.g; this.avl = o.avl; this.unusable = o.unusable;
  }

  /** Loads the hidden part from an 8-byte descriptor given as two dwords (SDM Vol. 3A Figure 3-8). */
  loadDescriptor(selector: number, lo: number, hi: number): void {
    this.selector = selector;
    this.base = ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0;
    const rawLimit = (lo & 0xffff) | (hi & 0xf0000);
    this.g = (hi >>> 23) & 1;
    this.limit = this.g ? ((rawLimit << 12) | 0xfff) >>> 0 : rawLimit;
    this.type = (hi >>> 8) & 15;
    this.s = (hi >>> 12) & 1;
    this.dpl = (hi >>> 13) & 3;
    this.present = (hi >>> 15) & 1;
    this.avl = (hi >>> 20) & 1;
    this.l = (hi >>> 21) & 1;
    this.db = (hi >>> 22) & 1;
    this.unusable = 0;
  }

  /** Real-mode / virtual-8086 load: base = selector * 16 (SDM Vol. 3A 20.1.1). */
  loadReal(selector: number): void {
    this.selector = selector & 0xffff;
    this.base = (selector & 0xffff) << 4;
    this.unusable = 0;
    this.present = 1;
  }

  /** A null selector loaded into DS/ES/FS/GS (or SS in 64-bit mode): usable for nothing. */
  loadNull(selector: number): void {
    this.selector = selector;
    this.base = 0;
    this.limit = 0;
    this.type = 0;
    this.present = 0;
    this.s = 0;
    this.dpl = 0;
    this.db = 0;
    this.l = 0;
    this.g = 0;
    this.unusable = 1;
  }
}

/** True for a code segment descriptor type (S=1, type bit 3). */
export function isCodeType(s: number, type: number): boolean {
  return s === 1 && (type & 8) !== 0;
}
