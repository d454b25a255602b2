/*
 * Driver of the C probe that checks the TypeScript KVMI codec byte for byte. It reads one job per
 * stdin line and answers with lines ending in "end":
 *   layout                          -> sizeof/offsetof of every struct and field (print_layouts)
 *   decode N S1..SN HEX             -> the message HEX read as the structs S1..SN in a row, every field printed
 *   encode N S1..SN V1 V2 ...       -> the structs filled from the values (padding left 0), printed as hex
 * The per-struct functions (print_layouts, dump_struct, fill_struct) are generated from the layout table
 * into kvmi_probe_tables.inc; the struct declarations come from kvmi_structs.h.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvmi_structs.h"

static char *tokens;
static int missing_values;

static char *next_token(void)
{
	return strtok_r(NULL, " \n", &tokens);
}

/* Next decimal value of an encode job; negative numbers are two's complement. */
static unsigned long long next_value(void)
{
	char *t = next_token();

	if (!t) {
		missing_values = 1;
		return 0;
	}
	if (t[0] == '-')
		return (unsigned long long)strtoll(t, NULL, 10);
	return strtoull(t, NULL, 10);
}

#define FILL(lvalue) ((lvalue) = (__typeof__(lvalue))next_value())

#include "kvmi_probe_tables.inc"

static unsigned char buf[65536] __attribute__((aligned(16)));

static size_t parse_hex(const char *hex)
{
	size_t n = 0;

	while (hex[0] && hex[1] && n < sizeof(buf)) {
		unsigned int byte;

		sscanf(hex, "%2x", &byte);
		buf[n++] = (unsigned char)byte;
		hex += 2;
	}
	return n;
}

static void run_job(char *line)
{
	char *cmd = strtok_r(line, " \n", &tokens);
	char *names[16];
	int count, i;

	if (!cmd)
		return;
	if (!strcmp(cmd, "layout")) {
		print_layouts();
		return;
	}
	count = atoi(next_token());
	if (count < 1 || count > 16) {
		printf("error bad struct count\n");
		return;
	}
	for (i = 0; i < count; i++)
		names[i] = next_token();

	if (!strcmp(cmd, "decode")) {
		char *hex = next_token();
		size_t len = hex ? parse_hex(hex) : 0, at = 0;

		for (i = 0; i < count; i++) {
			size_t used = dump_struct(names[i], buf + at, len - at);

			if (used == (size_t)-1) {
				printf("error unknown struct %s\n", names[i]);
				return;
			}
			at += used;
		}
		printf("consumed %zu\n", at);
	} else if (!strcmp(cmd, "encode")) {
		size_t at = 0;

		memset(buf, 0, sizeof(buf));
		missing_values = 0;
		for (i = 0; i < count; i++) {
			size_t used = fill_struct(names[i], buf + at, sizeof(buf) - at);

			if (used == (size_t)-1) {
				printf("error unknown struct %s\n", names[i]);
				return;
			}
			at += used;
		}
		if (missing_values || next_token()) {
			printf("error value count\n");
			return;
		}
		printf("hex ");
		for (size_t k = 0; k < at; k++)
			printf("%02x", buf[k]);
		printf("\n");
	} else {
		printf("error unknown job %s\n", cmd);
	}
}

int main(void)
{
	char *line = NULL;
	size_t cap = 0;

	while (getline(&line, &cap, stdin) > 0) {
		run_job(line);
		printf("end\n");
	}
	free(line);
	return 0;
}
