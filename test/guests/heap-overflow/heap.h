/*
 * A tiny first-fit heap over one 4 KiB page (`heap_arena`). Every payload starts on a 64-byte
 * cache line and is preceded by a 16-byte chunk header in the previous line, so consecutive
 * allocations sit back to back: overrunning one payload first hits the next chunk's header,
 * then the next payload.
 */
#ifndef HEAP_H
#define HEAP_H

#include <stddef.h>
#include <stdint.h>

#define HEAP_SIZE 4096
#define HEAP_ALIGNMENT 64

extern uint8_t heap_arena[HEAP_SIZE];

void heap_init(void);
/* Returns a 64-byte aligned block of at least `size` bytes, or NULL when the heap is full. */
void *heap_alloc(size_t size);
void heap_free(void *payload);
/* Offset in heap_arena of the first chunk whose header is damaged, or -1 when all are intact. */
long heap_first_corrupt_chunk(void);
/* Offset of a payload in heap_arena. */
size_t heap_offset_of(const void *payload);

#endif
