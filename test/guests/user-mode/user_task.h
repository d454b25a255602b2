/*
 * The ring-3 half of the user-mode guest (user_task.c) and the data page it writes.
 */
#ifndef USER_TASK_H
#define USER_TASK_H

#include <stdint.h>

extern uint8_t user_data_page[4096];

/* Runs at CPL 3; ends with ring3_return(checksum of user_data_page). */
void user_task(void);

#endif
