/*
 * Shared definitions of the user-mode guest: its GDT selectors (ring 0 and ring 3 code/data,
 * the TSS) and the ring-switch entry points implemented in ring_switch.S.
 */
#ifndef USER_MODE_H
#define USER_MODE_H

#define KERNEL_CS	0x08
#define KERNEL_DS	0x10
#define USER_CS		(0x18 | 3)
#define USER_DS		(0x20 | 3)
#define TSS_SELECTOR	0x28
#define SYSCALL_VECTOR	0x80

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Runs entry(void) at CPL 3 on stack_top; returns the RAX it passes to INT 0x80. */
uint64_t enter_user_mode(void (*entry)(void), void *stack_top);
/* INT 0x80 handler (DPL 3 interrupt gate). */
void user_return_gate(void);
/* CS of the code that executed INT 0x80, recorded by user_return_gate. */
extern uint64_t user_return_cs;

/* The ring-3 part of the guest (user_task.c) and the page it writes to. */
extern uint8_t user_data_page[4096];
void user_task(void);
#endif

#endif
