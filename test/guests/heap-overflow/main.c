/*
 * heap-overflow: the debugger demo. A 48-byte buffer and a guard object are allocated back to
 * back on the tiny heap; copy_message() then copies an 81-byte message into the buffer and runs
 * over the next chunk header into the guard. A write watch on *guard stops on the overflowing
 * line in copy_message. Exit code 3 means the corruption was detected, 0 that nothing was hit.
 */
#include "heap.h"
#include "runtime.h"

#define BUFFER_SIZE 48
#define GUARD_MAGIC 0x4b4f2d4452415547ull /* the bytes "GUARD-OK" read as a little-endian word */
#define EXIT_GUARD_CORRUPTED 3

struct guard_object {
	uint64_t magic;
	uint64_t owner_id;
	char label[16];
};

/* The object the overflow damages; its address is stable (heap_arena + 128). */
struct guard_object *guard;

static const char message[] = "This message is 80 characters long, but the buffer holds 48 of them. Overflow!!!";

static __attribute__((noipa)) void copy_message(char *destination, const char *source, size_t length)
{
	for (size_t i = 0; i < length; i++)
		destination[i] = source[i]; /* OVERFLOW: runs past the 48-byte buffer when length > 48 */
}

static void print_layout(const char *buffer)
{
	print("heap-overflow: buffer (");
	print_dec(BUFFER_SIZE);
	print(" bytes) at heap offset ");
	print_dec(heap_offset_of(buffer));
	print(", guard at heap offset ");
	print_dec(heap_offset_of(guard));
	putchar('\n');
}

static void report_heap_headers(void)
{
	long damaged = heap_first_corrupt_chunk();

	if (damaged < 0) {
		puts("heap-overflow: all chunk headers intact");
		return;
	}
	print("heap-overflow: first damaged chunk header at heap offset ");
	print_dec((uint64_t)damaged);
	putchar('\n');
}

int main(const void *start_info)
{
	char *buffer;

	(void)start_info;
	heap_init();
	buffer = heap_alloc(BUFFER_SIZE);
	guard = heap_alloc(sizeof(*guard));
	guard->magic = GUARD_MAGIC;
	guard->owner_id = 1;
	print_layout(buffer);

	print("heap-overflow: copying ");
	print_dec(sizeof(message));
	puts(" bytes into the buffer");
	copy_message(buffer, message, sizeof(message));

	print("heap-overflow: guard magic ");
	print_hex(guard->magic);
	print(", expected ");
	print_hex(GUARD_MAGIC);
	putchar('\n');
	report_heap_headers();
	if (guard->magic != GUARD_MAGIC) {
		puts("heap-overflow: guard object corrupted");
		return EXIT_GUARD_CORRUPTED;
	}
	puts("heap-overflow: guard object intact");
	return 0;
}
