// Small x86-64 programs, hand-encoded, that the conformance scenarios run in guest ring 3: each is
// written over the user-mode-ud2 guest's ring-3 function (user_task), so the guest's own ring-0
// runtime enters it with IRETQ and takes it back with UD2, printing RAX as the checksum.
// Encodings: Intel SDM Vol. 2 (MOV 89/8B/C6/B8+r/REX.W B8+r, ADD 01, STOS AA, MOVS A4, REP F3,
// CALL FF /2, RET C3, INT3 CC, UD2 0F 0B).

/** Bytes plus the offsets of named instructions (for scenarios that move RIP). */
export class Ring3Program {
  readonly bytes: number[] = [];
  readonly labels = new Map<string, number>();

  label(name: string): this { this.labels.set(name, this.bytes.length); return this; }
  offsetOf(name: string): number {
    const at = this.labels.get(name);
    if (at === undefined) throw new Error(`program has no label ${name}`);
    return at;
  }

  private emit(...b: number[]): this { this.bytes.push(...b); return this; }
  private imm32(v: number): number[] { return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff]; }
  private imm64(v: bigint): number[] { return Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn)); }

  /** movabs rdi, imm64 */
  movRdi(v: bigint): this { return this.emit(0x48, 0xbf, ...this.imm64(v)); }
  /** movabs rsi, imm64 */
  movRsi(v: bigint): this { return this.emit(0x48, 0xbe, ...this.imm64(v)); }
  /** movabs rax, imm64 */
  movRax(v: bigint): this { return this.emit(0x48, 0xb8, ...this.imm64(v)); }
  /** mov eax, imm32 */
  movEax(v: number): this { return this.emit(0xb8, ...this.imm32(v)); }
  /** mov ecx, imm32 (zero-extends into RCX) */
  movEcx(v: number): this { return this.emit(0xb9, ...this.imm32(v)); }
  /** mov al, imm8 */
  movAl(v: number): this { return this.emit(0xb0, v & 0xff); }
  /** mov [rdi], eax */
  storeEaxAtRdi(): this { return this.emit(0x89, 0x07); }
  /** mov edx, [rdi] */
  loadEdxFromRdi(): this { return this.emit(0x8b, 0x17); }
  /** add [rdi], eax (a read-modify-write) */
  addEaxToRdi(): this { return this.emit(0x01, 0x07); }
  /** mov byte [rdi + disp8], imm8 */
  storeByte(disp: number, v: number): this { return this.emit(0xc6, 0x47, disp & 0xff, v & 0xff); }
  /** add rax, rdx */
  addRaxRdx(): this { return this.emit(0x48, 0x01, 0xd0); }
  /** rep stosb */
  repStosb(): this { return this.emit(0xf3, 0xaa); }
  /** rep movsb */
  repMovsb(): this { return this.emit(0xf3, 0xa4); }
  /** call rax */
  callRax(): this { return this.emit(0xff, 0xd0); }
  /** ret */
  ret(): this { return this.emit(0xc3); }
  /** int3 */
  int3(): this { return this.emit(0xcc); }
  /** ud2: back to ring 0, RAX is the guest's printed checksum */
  ud2(): this { return this.emit(0x0f, 0x0b); }
}
