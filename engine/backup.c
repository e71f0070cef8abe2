/*
 * backup: on-demand backups and restores (CreateBackup, RestoreTableFromBackup,
 * RestoreTableToPointInTime).
 */
#include "engine/engine_int.h"

#include <stdlib.h>

struct backups {
    int unused;
};

int backup__open(eng_t *e, char **errmsg)
{
    (void)errmsg;
    e->backups = calloc(1, sizeof *e->backups);
    if (!e->backups) abort();
    return 0;
}

void backup__close(backups_t *b)
{
    free(b);
}
