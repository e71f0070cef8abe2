/*
 * envflags.h: every command-line flag also as an environment variable (issue 19).
 *
 * The variable of a flag is DYNAROCK_ + its long name in upper case with '-' as '_'
 * (--data-dir: DYNAROCK_DATA_DIR, --in-memory: DYNAROCK_IN_MEMORY; one exception: --faults is
 * DYNAROCK_FAULTS_FILE, as DYNAROCK_FAULTS arms the engine's storage faults). Flags win: the variables
 * become arguments placed before the command line's, and the command line's later value of the
 * same flag overrides; a storage flag on the command line (--data-dir, -dbPath, --in-memory,
 * -inMemory) makes DYNAROCK_DATA_DIR and DYNAROCK_IN_MEMORY ignored. Thread-safety: call once,
 * from main, before any thread starts.
 */
#ifndef DDB_ENVFLAGS_H
#define DDB_ENVFLAGS_H

#include <stdio.h>

/**
 * Replace *argc / *argv with argv[0], the arguments the DYNAROCK_* variables stand for, then
 * argv[1..]. The new array lives until exit. Returns 0, or -1 with a message in err for a
 * switch variable whose value is not 1/true/yes/on or 0/false/no/off/empty.
 */
int envflags_apply(int *argc, char ***argv, char *err, size_t errlen);

/** Print the variables, one per line ("  DYNAROCK_PORT  --port"), for --help. */
void envflags_usage(FILE *f);

#endif
