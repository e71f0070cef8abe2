/*
 * format.h: every constant that reaches disk, in one place. A data directory written by any
 * earlier version must open: never renumber, rename or reuse a value; a new layout gets a new
 * version number beside the old one, and the reader keeps both. Worked byte examples:
 * docs/storage-format.md. Included by engine/ files only (through engine_int.h or directly).
 *
 * Column families (RocksDB names):
 *   FMT_CF_DEFAULT  RocksDB's own; holds only FMT_PROBE_KEY, written by the full-disk probe (db.c)
 *   FMT_CF_SYS      catalog: FMT_CATALOG_KEY_PREFIX "<table name>" -> description (JSON, catalog.c)
 *   FMT_CF_STATS    counters: "<table or index id>" FMT_STATS_PACKED -> two little-endian 64-bit
 *                   words (item count, bytes), summed by the word-sum merge operator (db.c);
 *                   0.1.0 wrote one word each under FMT_STATS_LEGACY_COUNT / _BYTES, still read
 *   FMT_CF_TABLE_PREFIX "<table id>"  a table's items: base key -> item (itemenc.c)
 *   FMT_CF_INDEX_PREFIX "<index id>"  an index's entries: index key -> projected item (index.c)
 *   FMT_CF_STREAMS  stream records (stream.c), made when the first stream is enabled:
 *                   stream number (8 bytes, big endian) | sequence number (8 bytes, big endian)
 *                   -> record (FMT_SREC_* below)
 *   FMT_CF_PITR     history of tables with point-in-time recovery (pitr.c):
 *                   table id (36 bytes) | base key | commit time, epoch µs (8 bytes, big endian)
 *                   | sequence (8 bytes, big endian) -> FMT_PITR_VERSION | FMT_PITR_ABSENT, or
 *                   FMT_PITR_VERSION | FMT_PITR_PRESENT | old image (itemenc)
 *   FMT_CF_BACKUPS  items of on-demand backups (backup.c): backup id (22 bytes) | base key -> item
 *                   (the table's own record, copied); descriptions in FMT_CF_SYS under
 *                   FMT_BACKUP_KEY_PREFIX "<backup id>" -> JSON
 *   FMT_CF_SYS also holds each stream's description: FMT_STREAM_KEY_PREFIX "<16 hex digits of the
 *                   stream number>" -> JSON (stream.c), and the server's records (event-source
 *                   mappings, checkpoints): FMT_META_KEY_PREFIX "<server key>" -> bytes (meta.c)
 *
 * Keys of tables and indexes start with the partition hash: FMT_KEY_HASH_LEN bytes, big endian,
 * of key__hash (item.c: FNV-1a 64 then the splitmix64 finaliser, top 32 bits) over the encoded
 * partition key; RocksDB's prefix filters use exactly these bytes. Key parts are encoded by
 * keyenc.c (FMT_KS_* and FMT_KN_* below); items by itemenc.c (FMT_ITEM_VERSION, FMT_TAG_*).
 */
#ifndef DDB_ENGINE_FORMAT_H
#define DDB_ENGINE_FORMAT_H

/* ---- column families and their keys ---------------------------------------------------- */

#define FMT_CF_DEFAULT "default"
#define FMT_CF_SYS "sys"
#define FMT_CF_STATS "stats"
#define FMT_CF_TABLE_PREFIX "t."
#define FMT_CF_INDEX_PREFIX "x."
#define FMT_CF_PREFIX_LEN 2 /* both prefixes */

#define FMT_CATALOG_KEY_PREFIX "t/"
#define FMT_CATALOG_KEY_PREFIX_LEN 2
#define FMT_CATALOG_VERSION 1 /* the "v" member of every catalog record */

#define FMT_STATS_PACKED "/s"       /* (item count, bytes): two words, one merge per write */
#define FMT_STATS_LEGACY_COUNT "/c" /* 0.1.0: item count, one word */
#define FMT_STATS_LEGACY_BYTES "/b" /* 0.1.0: bytes, one word */

#define FMT_CF_STREAMS "streams"
#define FMT_STREAM_KEY_PREFIX "s/" /* in FMT_CF_SYS */
#define FMT_STREAM_KEY_PREFIX_LEN 2
#define FMT_STREAM_VERSION 1 /* the "v" member of every stream description */

#define FMT_META_KEY_PREFIX "m/" /* in FMT_CF_SYS: the server's own records (meta.c) */
#define FMT_META_KEY_PREFIX_LEN 2

#define FMT_CF_PITR "pitr"       /* point-in-time history (pitr.c), made when PITR is first turned on */
#define FMT_PITR_VERSION 1       /* first byte of every history record */
#define FMT_PITR_ABSENT 0        /* second byte: no old image (the change created the item) */
#define FMT_PITR_PRESENT 1       /* second byte: the old image (itemenc) follows */
#define FMT_PITR_TABLE_ID_LEN 36 /* table ids are UUIDs: 36 characters */

#define FMT_CF_BACKUPS "backups"   /* on-demand backups' items (backup.c), made at the first backup */
#define FMT_BACKUP_KEY_PREFIX "b/" /* in FMT_CF_SYS: "<backup id>" -> the backup's description (JSON) */
#define FMT_BACKUP_KEY_PREFIX_LEN 2
#define FMT_BACKUP_VERSION 1 /* the "v" member of every backup description */
#define FMT_BACKUP_ID_LEN 22 /* "<13 digits of epoch ms>-<8 hex digits>" */

#define FMT_PROBE_KEY "dynarock.probe" /* in FMT_CF_DEFAULT; an empty value */

#define FMT_KEY_HASH_LEN 4 /* partition hash prefix of every table and index key */

/* ---- key parts (keyenc.c) ---------------------------------------------------------------- */

/* S and B: bytes with 0x00 escaped as 0x00 FMT_KS_ESC, then 0x00 FMT_KS_END. */
#define FMT_KS_ESC 0xFF
#define FMT_KS_END 0x01
/* N: class byte, biased exponent, digit pairs, terminator (complemented when negative). */
#define FMT_KN_NEG 0x01
#define FMT_KN_ZERO 0x02
#define FMT_KN_POS 0x03
#define FMT_KN_EXP_BIAS 129 /* -DEC_MIN_EXP: maps exp -129..126 onto 0..255 */

/* ---- items (itemenc.c) -------------------------------------------------------------------- */

#define FMT_ITEM_VERSION 1 /* first byte of every stored item and index entry value */

enum {
    FMT_TAG_S = 0x01,
    FMT_TAG_N = 0x02,
    FMT_TAG_B = 0x03,
    FMT_TAG_FALSE = 0x04,
    FMT_TAG_TRUE = 0x05,
    FMT_TAG_NULL = 0x06,
    FMT_TAG_M = 0x07,
    FMT_TAG_L = 0x08,
    FMT_TAG_SS = 0x09,
    FMT_TAG_NS = 0x0A,
    FMT_TAG_BS = 0x0B,
};

/* ---- stream records (stream.c) ----------------------------------------------------------- */

/* A record's value:
 *   FMT_SREC_VERSION | event (FMT_SREC_INSERT/MODIFY/REMOVE) | flags (FMT_SREC_BY_SERVICE)
 *   | created, epoch ms (8 bytes, little endian)
 *   | three images, each a 4-byte little-endian length then an item (itemenc), or the length
 *     FMT_SREC_ABSENT alone: keys, old image, new image (the images the stream's view keeps). */
#define FMT_SREC_VERSION 1
#define FMT_SREC_INSERT 1
#define FMT_SREC_MODIFY 2
#define FMT_SREC_REMOVE 3
#define FMT_SREC_BY_SERVICE 0x01 /* a TTL deletion */
#define FMT_SREC_ABSENT 0xFFFFFFFFu
#define FMT_SREC_HEADER 11 /* version, event, flags, created */

#endif
