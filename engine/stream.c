/*
 * stream: the stream hook of every item write. item__stage calls stream__stage beside the index
 * deltas for each change it stages on a table with a stream enabled, so that whatever the stream
 * keeps of the change goes into the same RocksDB batch as the item, its index entries and its
 * counters: every write path (single items, BatchWriteItem, TransactWriteItems, the TTL sweeper,
 * later PartiQL and restores) reaches it, with its origin (engine.h, eng_origin_t).
 *
 * The records themselves (shards, sequence numbers, retention; DynamoDB Streams' four
 * operations) are issue 13's next step: until then a stream is described (StreamSpecification,
 * LatestStreamArn) but records nothing, as docs/compatibility.md says.
 */
#include "engine/engine_int.h"

int stream__stage(eng_t *e, const eng_table_t *t, db_batch_t *b, eng_origin_t origin, const av_map_t *old,
                  const av_map_t *nitem, arena_t *a)
{
    (void)e;
    (void)t;
    (void)b;
    (void)origin;
    (void)old;
    (void)nitem;
    (void)a;
    return 0;
}
