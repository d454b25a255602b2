/*
 * First-fit allocator for the heap-overflow guest (see heap.h). Chunks form an implicit list:
 * header at offset o (o % 64 == 48), payload at o + 16, next header right after the payload.
 * Headers carry a state word and a check word so heap_first_corrupt_chunk can spot overruns.
 */
#include "heap.h"
#include "runtime.h"

#define CHUNK_HEADER_SIZE 16
#define FIRST_CHUNK_OFFSET (HEAP_ALIGNMENT - CHUNK_HEADER_SIZE)
#define CHUNK_FREE 0x45455246u /* "FREE" */
#define CHUNK_USED 0x44455355u /* "USED" */

struct chunk_header {
	uint32_t capacity;	/* payload bytes; capacity + 16 is a multiple of 64 */
	uint32_t state;		/* CHUNK_FREE or CHUNK_USED */
	uint64_t check;		/* capacity ^ state ^ CHECK_SALT */
};

#define CHECK_SALT 0x9e3779b97f4a7c15ull

uint8_t heap_arena[HEAP_SIZE] OWN_PAGE_DATA;

static struct chunk_header *chunk_at(size_t offset)
{
	return (struct chunk_header *)&heap_arena[offset];
}

static void write_header(struct chunk_header *chunk, uint32_t capacity, uint32_t state)
{
	chunk->capacity = capacity;
	chunk->state = state;
	chunk->check = capacity ^ state ^ CHECK_SALT;
}

static int header_is_intact(const struct chunk_header *chunk)
{
	return (chunk->state == CHUNK_FREE || chunk->state == CHUNK_USED)
		&& chunk->check == (chunk->capacity ^ chunk->state ^ CHECK_SALT);
}

static size_t next_offset(size_t offset)
{
	return offset + CHUNK_HEADER_SIZE + chunk_at(offset)->capacity;
}

void heap_init(void)
{
	write_header(chunk_at(FIRST_CHUNK_OFFSET), HEAP_SIZE - FIRST_CHUNK_OFFSET - CHUNK_HEADER_SIZE, CHUNK_FREE);
}

void *heap_alloc(size_t size)
{
	/* Round so the next header again lands 16 bytes before a cache line. */
	size_t capacity = (size + CHUNK_HEADER_SIZE + HEAP_ALIGNMENT - 1) / HEAP_ALIGNMENT * HEAP_ALIGNMENT
		- CHUNK_HEADER_SIZE;

	for (size_t offset = FIRST_CHUNK_OFFSET; offset < HEAP_SIZE; offset = next_offset(offset)) {
		struct chunk_header *chunk = chunk_at(offset);

		if (!header_is_intact(chunk))
			return NULL;
		if (chunk->state != CHUNK_FREE || chunk->capacity < capacity)
			continue;
		if (chunk->capacity >= capacity + HEAP_ALIGNMENT) {
			size_t rest = chunk->capacity - capacity - CHUNK_HEADER_SIZE;

			write_header(chunk_at(offset + CHUNK_HEADER_SIZE + capacity), (uint32_t)rest, CHUNK_FREE);
			write_header(chunk, (uint32_t)capacity, CHUNK_USED);
		} else {
			write_header(chunk, chunk->capacity, CHUNK_USED);
		}
		return &heap_arena[offset + CHUNK_HEADER_SIZE];
	}
	return NULL;
}

void heap_free(void *payload)
{
	struct chunk_header *chunk = (struct chunk_header *)((uint8_t *)payload - CHUNK_HEADER_SIZE);

	write_header(chunk, chunk->capacity, CHUNK_FREE);
}

long heap_first_corrupt_chunk(void)
{
	for (size_t offset = FIRST_CHUNK_OFFSET; offset < HEAP_SIZE; offset = next_offset(offset)) {
		if (!header_is_intact(chunk_at(offset)))
			return (long)offset;
	}
	return -1;
}

size_t heap_offset_of(const void *payload)
{
	return (size_t)((const uint8_t *)payload - heap_arena);
}
