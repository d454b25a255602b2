// Register numbering and architectural bit constants of the x86-64 core (SDM Vol. 1 3.4, Vol. 3A 2.5).
// General-purpose registers use the hardware encoding order (RAX=0 ... R15=15); segment registers use
// the Sreg encoding (ES=0 CS=1 SS=2 DS=3 FS=4 GS=5) so ModRM.reg indexes them directly.

/** GPR indices in ModRM/REX encoding order (SDM Vol. 2A 2.1.5, Table 2-2). */
export const RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7, R11 = 11;

/** Segment register indices in Sreg encoding order (SDM Vol. 2A 3.1.1.1); TR and LDTR follow. */
export const ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5, LDTR = 6, TR = 7;

/** RFLAGS bits (SDM Vol. 1 3.4.3). */
export const CF = 1 << 0, PF = 1 << 2, AF = 1 << 4, ZF = 1 << 6, SF = 1 << 7, TF = 1 << 8, IF = 1 << 9;
export const DF = 1 << 10, OF = 1 << 11, IOPL = 3 << 12, NT = 1 << 14, RF = 1 << 16, VM = 1 << 17;
export const AC = 1 << 18, VIF = 1 << 19, VIP = 1 << 20, ID = 1 << 21;
/** The six status flags arithmetic instructions define. */
export const STATUS_FLAGS = CF | PF | AF | ZF | SF | OF;
/** RFLAGS bits software can change at all (bit 1 always reads 1). */
export const WRITABLE_FLAGS = STATUS_FLAGS | TF | IF | DF | IOPL | NT | RF | AC | ID;

/** CR0 bits (SDM Vol. 3A 2.5). */
export const CR0_PE = 1 << 0, CR0_MP = 1 << 1, CR0_EM = 1 << 2, CR0_TS = 1 << 3, CR0_ET = 1 << 4;
export const CR0_NE = 1 << 5, CR0_WP = 1 << 16, CR0_AM = 1 << 18, CR0_NW = 1 << 29, CR0_CD = 1 << 30;
export const CR0_PG = 1 << 31;
/** CR4 bits (SDM Vol. 3A 2.5). */
export const CR4_PSE = 1 << 4, CR4_PAE = 1 << 5, CR4_PGE = 1 << 7, CR4_OSFXSR = 1 << 9;
export const CR4_OSXMMEXCPT = 1 << 10, CR4_FSGSBASE = 1 << 16, CR4_OSXSAVE = 1 << 18;
export const CR4_SMEP = 1 << 20, CR4_SMAP = 1 << 21;
/** IA32_EFER bits (SDM Vol. 3A 2.2.1). */
export const EFER_SCE = 1 << 0, EFER_LME = 1 << 8, EFER_LMA = 1 << 10, EFER_NXE = 1 << 11;

/** Exception vectors (SDM Vol. 3A 6.3.1, Table 6-1). */
export const VEC_DE = 0, VEC_DB = 1, VEC_NMI = 2, VEC_BP = 3, VEC_OF = 4, VEC_BR = 5, VEC_UD = 6;
export const VEC_NM = 7, VEC_DF = 8, VEC_TS = 10, VEC_NP = 11, VEC_SS = 12, VEC_GP = 13, VEC_PF = 14;
export const VEC_MF = 16, VEC_AC = 17, VEC_XM = 19;

/** Vectors that push an error code (SDM Vol. 3A 6.13). */
export function pushesErrorCode(vector: number): boolean {
  return vector === VEC_DF || (vector >= VEC_TS && vector <= VEC_PF) || vector === VEC_AC;
}

/** 2^32 and 2^48 as plain numbers, used to split and join 64-bit quantities. */
export const TWO32 = 4294967296;
export const TWO48 = 281474976710656;

/** Parity of each byte value: 1 when the number of set bits is even (the PF rule, SDM Vol. 1 3.4.3.1). */
export const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let bits = 0;
  for (let v = i; v; v >>= 1) bits += v & 1;
  PARITY[i] = bits & 1 ? 0 : PF;
}
