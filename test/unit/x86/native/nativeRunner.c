/*
 * Runs x86-64 machine-code snippets natively in ring 3 for the differential ISA tests.
 * Reads fixed-size input records on stdin (code, code size, GPRs, RFLAGS, XMM0-15, a 4 KiB scratch
 * block), maps the code at CODE_ADDR and the scratch block at SCRATCH_ADDR, runs the snippet with
 * exactly those registers, in 64-bit mode or (code size 4) in compatibility mode through Linux's
 * 32-bit user code segment, and writes one output record per input (signal number or 0, final GPRs,
 * RFLAGS, XMM registers and scratch block) on stdout. Built by the tests with `cc`; Linux x86-64 only.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CODE_ADDR 0x300000UL
#define SCRATCH_ADDR 0x400000UL
#define SCRATCH_SIZE 4096
#define MAX_CODE 64

#define USER32_CS 0x23   /* Linux __USER32_CS: 32-bit compatibility-mode code, DPL 3 */
#define USER64_CS 0x33   /* Linux __USER_CS */

struct input {
  uint32_t code_len;
  uint8_t code[MAX_CODE];
  uint32_t code_size;    /* 8: 64-bit mode, 4: compatibility mode */
  uint64_t gpr[16];      /* encoding order: rax rcx rdx rbx rsp rbp rsi rdi r8..r15 */
  uint64_t rflags;
  uint8_t xmm[256];
  uint8_t scratch[SCRATCH_SIZE];
};

struct output {
  uint32_t status;       /* 0, or the signal that ended the snippet */
  uint32_t pad;
  uint64_t gpr[16];
  uint64_t rflags;
  uint8_t xmm[256];
  uint8_t scratch[SCRATCH_SIZE];
};

/* Register context shared with the assembly trampoline (offsets: gpr 0, rflags 128, xmm 136). */
struct context {
  uint64_t gpr[16];
  uint64_t rflags;
  uint8_t xmm[256];
};

struct context ctx_in, ctx_out;
uint64_t saved_rsp;
/* Far pointer (m16:32) to the snippet: offset, then the 64-bit or the 32-bit user code selector. */
struct __attribute__((packed)) { uint32_t offset; uint16_t selector; } far32 = { CODE_ADDR, USER32_CS };
uint64_t compat_mode = 0;
static sigjmp_buf on_fault;

void run_snippet(void);
void exit_stub(void);

__asm__(
  ".intel_syntax noprefix\n"
  ".text\n"
  ".globl run_snippet\n"
  "run_snippet:\n"
  "  push rbx\n push rbp\n push r12\n push r13\n push r14\n push r15\n"
  "  mov [rip + saved_rsp], rsp\n"
  "  mov eax, 0x2b\n mov ds, eax\n mov es, eax\n"   /* __USER_DS: 32-bit code needs usable DS/ES */
  "  lea rdi, [rip + ctx_in]\n"
  "  movdqu xmm0, [rdi + 136]\n movdqu xmm1, [rdi + 152]\n movdqu xmm2, [rdi + 168]\n movdqu xmm3, [rdi + 184]\n"
  "  movdqu xmm4, [rdi + 200]\n movdqu xmm5, [rdi + 216]\n movdqu xmm6, [rdi + 232]\n movdqu xmm7, [rdi + 248]\n"
  "  movdqu xmm8, [rdi + 264]\n movdqu xmm9, [rdi + 280]\n movdqu xmm10, [rdi + 296]\n movdqu xmm11, [rdi + 312]\n"
  "  movdqu xmm12, [rdi + 328]\n movdqu xmm13, [rdi + 344]\n movdqu xmm14, [rdi + 360]\n movdqu xmm15, [rdi + 376]\n"
  "  push qword ptr [rdi + 128]\n popfq\n"
  "  mov rax, [rdi + 0]\n mov rcx, [rdi + 8]\n mov rdx, [rdi + 16]\n mov rbx, [rdi + 24]\n"
  "  mov rbp, [rdi + 40]\n mov rsi, [rdi + 48]\n mov r8, [rdi + 64]\n mov r9, [rdi + 72]\n"
  "  mov r10, [rdi + 80]\n mov r11, [rdi + 88]\n mov r12, [rdi + 96]\n mov r13, [rdi + 104]\n"
  "  mov r14, [rdi + 112]\n mov r15, [rdi + 120]\n mov rsp, [rdi + 32]\n mov rdi, [rdi + 56]\n"
  "  jmp fword ptr [rip + far32]\n"
  ".globl exit_stub\n"
  "exit_stub:\n"
  "  mov [rip + ctx_out + 0], rax\n mov [rip + ctx_out + 8], rcx\n mov [rip + ctx_out + 16], rdx\n"
  "  mov [rip + ctx_out + 24], rbx\n mov [rip + ctx_out + 32], rsp\n mov [rip + ctx_out + 40], rbp\n"
  "  mov [rip + ctx_out + 48], rsi\n mov [rip + ctx_out + 56], rdi\n mov [rip + ctx_out + 64], r8\n"
  "  mov [rip + ctx_out + 72], r9\n mov [rip + ctx_out + 80], r10\n mov [rip + ctx_out + 88], r11\n"
  "  mov [rip + ctx_out + 96], r12\n mov [rip + ctx_out + 104], r13\n mov [rip + ctx_out + 112], r14\n"
  "  mov [rip + ctx_out + 120], r15\n"
  "  mov rsp, [rip + saved_rsp]\n"
  "  pushfq\n pop qword ptr [rip + ctx_out + 128]\n cld\n"
  "  lea rdi, [rip + ctx_out]\n"
  "  movdqu [rdi + 136], xmm0\n movdqu [rdi + 152], xmm1\n movdqu [rdi + 168], xmm2\n movdqu [rdi + 184], xmm3\n"
  "  movdqu [rdi + 200], xmm4\n movdqu [rdi + 216], xmm5\n movdqu [rdi + 232], xmm6\n movdqu [rdi + 248], xmm7\n"
  "  movdqu [rdi + 264], xmm8\n movdqu [rdi + 280], xmm9\n movdqu [rdi + 296], xmm10\n movdqu [rdi + 312], xmm11\n"
  "  movdqu [rdi + 328], xmm12\n movdqu [rdi + 344], xmm13\n movdqu [rdi + 360], xmm14\n movdqu [rdi + 376], xmm15\n"
  "  pop r15\n pop r14\n pop r13\n pop r12\n pop rbp\n pop rbx\n"
  "  ret\n"
  ".att_syntax prefix\n");

static void on_signal(int sig, siginfo_t *info, void *uc) {
  (void)info; (void)uc;
  siglongjmp(on_fault, sig);
}

static int read_full(void *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(0, (char *)buf + got, n - got);
    if (r <= 0) return got == 0 ? 0 : -1;
    got += (size_t)r;
  }
  return 1;
}

int main(void) {
  void *code = mmap((void *)CODE_ADDR, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  void *scratch = mmap((void *)SCRATCH_ADDR, SCRATCH_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (code != (void *)CODE_ADDR || scratch != (void *)SCRATCH_ADDR) {
    fprintf(stderr, "cannot map the fixed code/scratch pages\n");
    return 2;
  }
  static uint8_t altstack[65536];
  stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
  sigaltstack(&ss, NULL);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_signal;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  int sigs[] = { SIGSEGV, SIGILL, SIGFPE, SIGBUS, SIGTRAP };
  for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, NULL);

  static struct input in;
  static struct output out;
  for (;;) {
    int r = read_full(&in, sizeof in);
    if (r == 0) break;
    if (r < 0 || in.code_len > MAX_CODE) { fprintf(stderr, "bad input record\n"); return 3; }
    memset(code, 0xcc, 4096);
    memcpy(code, in.code, in.code_len);
    uint8_t *tail = (uint8_t *)code + in.code_len;
    compat_mode = in.code_size == 4;
    far32.selector = compat_mode ? USER32_CS : USER64_CS;
    if (compat_mode) {
      /* jmp far 0x33:next (ptr16:32) back to 64-bit mode, then the 64-bit jump to the exit stub */
      uint32_t next = (uint32_t)(CODE_ADDR + in.code_len + 7);
      tail[0] = 0xea; memcpy(tail + 1, &next, 4); tail[5] = USER64_CS; tail[6] = 0;
      tail += 7;
    }
    tail[0] = 0xff; tail[1] = 0x25; memset(tail + 2, 0, 4);   /* jmp [rip+0] */
    uint64_t stub = (uint64_t)(uintptr_t)&exit_stub;
    memcpy(tail + 6, &stub, 8);
    memcpy(scratch, in.scratch, SCRATCH_SIZE);
    memcpy(ctx_in.gpr, in.gpr, sizeof in.gpr);
    ctx_in.rflags = in.rflags;
    memcpy(ctx_in.xmm, in.xmm, sizeof in.xmm);
    memset(&out, 0, sizeof out);
    __asm__ volatile("fninit");
    unsigned mxcsr = 0x1f80;
    __asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
    int sig = sigsetjmp(on_fault, 1);
    if (sig == 0) {
      run_snippet();
      memcpy(out.gpr, ctx_out.gpr, sizeof out.gpr);
      out.rflags = ctx_out.rflags;
      memcpy(out.xmm, ctx_out.xmm, sizeof out.xmm);
    } else {
      __asm__ volatile("cld");
      out.status = (uint32_t)sig;
    }
    memcpy(out.scratch, scratch, SCRATCH_SIZE);
    if (fwrite(&out, sizeof out, 1, stdout) != 1) return 4;
  }
  return 0;
}
