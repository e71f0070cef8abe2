/*
 * test_transient: the states of -delayTransientStatuses (transient.c): nothing without the flag, a state
 * per (engine, table, index) until its end on the monotonic clock, replaced by a later one, ended states
 * forgotten, DELETING tables listed per engine, and requests describing "after the end" seeing none.
 * Engines are only compared by address here, so two dummy objects stand in for them.
 */
#include "common/clock.h"
#include "server/server.h"

#include <string.h>
#include <time.h>

#include "common/tests/check.h"

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int main(void)
{
    static int eng_a, eng_b; /* stand-ins: transient.c never dereferences an engine */
    arena_t *a = arena_new(4096);
    ddb_config_t off = {0}, cfg = {0};
    cfg.transient_ms = 150;
    ddb_req_t r = {.a = a, .eng = (eng_t *)&eng_a, .cfg = &off};

    /* without the flag: nothing is kept */
    tr_begin(&r, "t", NULL, TR_CREATING, NULL, NULL);
    r.cfg = &cfg;
    CHECK_INT(tr_state(&r, "t", NULL, NULL), TR_ACTIVE);

    uint64_t t0 = ddb_mono_ms(), until = 0;
    tr_begin(&r, "t", NULL, TR_CREATING, NULL, NULL);
    CHECK_INT(tr_state(&r, "t", NULL, &until), TR_CREATING);
    CHECK(until >= t0 + 150 && until <= ddb_mono_ms() + 150);
    CHECK_STR(tr_state_name(TR_CREATING), "CREATING");
    CHECK_INT(tr_state(&r, "u", NULL, NULL), TR_ACTIVE);          /* another table */
    CHECK_INT(tr_state(&r, "t", "byg", NULL), TR_ACTIVE);         /* the table's index has its own state */
    ddb_req_t rb = {.a = a, .eng = (eng_t *)&eng_b, .cfg = &cfg}; /* another namespace */
    CHECK_INT(tr_state(&rb, "t", NULL, NULL), TR_ACTIVE);

    /* a later state replaces the table's; indexes are separate entries */
    tr_begin(&r, "t", NULL, TR_UPDATING, NULL, NULL);
    tr_begin(&r, "t", "byg", TR_CREATING, NULL, NULL);
    CHECK_INT(tr_state(&r, "t", NULL, NULL), TR_UPDATING);
    CHECK_INT(tr_state(&r, "t", "byg", NULL), TR_CREATING);
    CHECK(tr_ghost(&r, "t", NULL, NULL) == NULL);
    CHECK(tr_ghost_index(&r, "t") == NULL); /* a deleted GSI is shown only with its description */

    /* DELETING tables are listed by engine */
    tr_begin(&r, "gone", NULL, TR_DELETING, NULL, NULL);
    tr_begin(&rb, "other", NULL, TR_DELETING, NULL, NULL);
    const char **names;
    CHECK_INT(tr_deleting_tables(&r, &names), 1);
    CHECK_STR(names[0], "gone");
    CHECK_INT(tr_deleting_tables(&rb, &names), 1);
    CHECK_STR(names[0], "other");

    /* a request answering as of the states' end sees none */
    r.transient_done = true;
    CHECK_INT(tr_state(&r, "t", NULL, NULL), TR_ACTIVE);
    r.transient_done = false;

    /* ended states are forgotten */
    sleep_ms(200);
    CHECK_INT(tr_state(&r, "t", NULL, NULL), TR_ACTIVE);
    CHECK_INT(tr_state(&r, "t", "byg", NULL), TR_ACTIVE);
    CHECK_INT(tr_deleting_tables(&r, &names), 0);
    CHECK_INT(tr_deleting_tables(&rb, &names), 0);

    tr_begin(&r, "late", NULL, TR_CREATING, NULL, NULL);
    tr_clear();
    CHECK_INT(tr_state(&r, "late", NULL, NULL), TR_ACTIVE);
    arena_free(a);
    return check_done("test_transient");
}
