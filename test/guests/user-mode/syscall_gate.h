/* The system call of the user-syscalls guest (syscall_gate.S): UD2 with RAX = SYSCALL_MAGIC. */
#ifndef GUEST_SYSCALL_GATE_H
#define GUEST_SYSCALL_GATE_H

#define SYSCALL_MAGIC 0x5ca11

#ifndef __ASSEMBLER__
#include <stdint.h>

/* The #UD handler: a system call returns to ring 3, anything else goes to ring3_return_gate. */
void syscall_gate(void);
extern uint64_t syscall_count, syscall_sum;
#endif

#endif
