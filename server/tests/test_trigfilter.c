/*
 * test_trigfilter: FilterCriteria (trigfilter.c), Lambda's event-filtering patterns, against records
 * shaped as Lambda's DynamoDB event records: values (strings, numbers by value, booleans, null),
 * prefix, suffix, equals-ignore-case, anything-but (list, value, prefix), numeric ranges over numbers
 * and N strings, exists true / false, nested objects (AND), lists of matchers (OR), arrays in the
 * record (any element), several filters (OR), and which patterns are refused.
 */
#include "server/server.h"

#include <stdio.h>
#include <string.h>

#include "common/tests/check.h"

static arena_t *a;

static const char *REC =
    "{\"eventName\":\"MODIFY\",\"eventSource\":\"aws:dynamodb\",\"dynamodb\":{\"Keys\":{\"pk\":{\"S\":"
    "\"order#12\"}},"
    "\"NewImage\":{\"pk\":{\"S\":\"order#12\"},\"total\":{\"N\":\"150.5\"},\"paid\":{\"BOOL\":true},"
    "\"tags\":{\"SS\":[\"red\",\"big\"]},\"note\":{\"NULL\":true},\"city\":{\"S\":\"Paris\"}},"
    "\"SequenceNumber\":\"100000000000000000007\",\"SizeBytes\":42}}";

/* One pattern (as Pattern text) against REC. */
static bool m1(const char *pattern)
{
    jw_t w;
    jw_init(&w, a, 256);
    jw_obj_begin(&w);
    jw_keyz(&w, "Filters");
    jw_arr_begin(&w);
    jw_obj_begin(&w);
    jw_keyz(&w, "Pattern");
    jw_strz(&w, pattern);
    jw_obj_end(&w);
    jw_arr_end(&w);
    jw_obj_end(&w);
    json_t *rec = json_parse(a, REC, strlen(REC), 32, NULL);
    return trig_filter_match(a, w.b.data, rec);
}

static bool valid(const char *pattern)
{
    return trig_filter_valid(a, pattern, strlen(pattern));
}

int main(void)
{
    a = arena_new(1 << 16);
    static const struct {
        const char *pattern;
        bool want;
    } cases[] = {
        {"{}", true},
        {"{\"eventName\":[\"MODIFY\"]}", true},
        {"{\"eventName\":[\"INSERT\",\"MODIFY\"]}", true},
        {"{\"eventName\":[\"INSERT\"]}", false},
        {"{\"eventName\":[\"modify\"]}", false},
        {"{\"eventName\":[{\"equals-ignore-case\":\"modify\"}]}", true},
        {"{\"dynamodb\":{\"Keys\":{\"pk\":{\"S\":[{\"prefix\":\"order#\"}]}}}}", true},
        {"{\"dynamodb\":{\"Keys\":{\"pk\":{\"S\":[{\"prefix\":\"user#\"}]}}}}", false},
        {"{\"dynamodb\":{\"Keys\":{\"pk\":{\"S\":[{\"suffix\":\"#12\"}]}}}}", true},
        {"{\"dynamodb\":{\"NewImage\":{\"total\":{\"N\":[{\"numeric\":[\">\",100]}]}}}}", true},
        {"{\"dynamodb\":{\"NewImage\":{\"total\":{\"N\":[{\"numeric\":[\">\",100,\"<=\",150]}]}}}}", false},
        {"{\"dynamodb\":{\"NewImage\":{\"total\":{\"N\":[{\"numeric\":[\">=\",150.5,\"<\",151]}]}}}}", true},
        {"{\"dynamodb\":{\"NewImage\":{\"total\":{\"N\":[{\"numeric\":[\"=\",150.5]}]}}}}", true},
        {"{\"dynamodb\":{\"SizeBytes\":[42]}}", true},
        {"{\"dynamodb\":{\"SizeBytes\":[42.0]}}", true},
        {"{\"dynamodb\":{\"SizeBytes\":[\"42\"]}}", false}, /* a string is not the number */
        {"{\"dynamodb\":{\"NewImage\":{\"paid\":{\"BOOL\":[true]}}}}", true},
        {"{\"dynamodb\":{\"NewImage\":{\"paid\":{\"BOOL\":[false]}}}}", false},
        {"{\"dynamodb\":{\"NewImage\":{\"note\":{\"NULL\":[true]}}}}", true},
        {"{\"dynamodb\":{\"NewImage\":{\"tags\":{\"SS\":[\"big\"]}}}}", true}, /* an element of the array */
        {"{\"dynamodb\":{\"NewImage\":{\"tags\":{\"SS\":[\"small\"]}}}}", false},
        {"{\"dynamodb\":{\"NewImage\":{\"city\":{\"S\":[{\"anything-but\":[\"Rome\",\"Oslo\"]}]}}}}", true},
        {"{\"dynamodb\":{\"NewImage\":{\"city\":{\"S\":[{\"anything-but\":\"Paris\"}]}}}}", false},
        {"{\"dynamodb\":{\"NewImage\":{\"city\":{\"S\":[{\"anything-but\":{\"prefix\":\"Pa\"}}]}}}}", false},
        {"{\"dynamodb\":{\"NewImage\":{\"gone\":{\"S\":[{\"anything-but\":\"x\"}]}}}}", false}, /* absent */
        {"{\"dynamodb\":{\"NewImage\":{\"city\":[{\"exists\":true}]}}}", true},
        {"{\"dynamodb\":{\"NewImage\":{\"gone\":[{\"exists\":false}]}}}", true},
        {"{\"dynamodb\":{\"NewImage\":{\"city\":[{\"exists\":false}]}}}", false},
        {"{\"dynamodb\":{\"OldImage\":{\"city\":[{\"exists\":true}]}}}", false},
        /* AND across members, OR within a list */
        {"{\"eventName\":[\"MODIFY\"],\"dynamodb\":{\"NewImage\":{\"city\":{\"S\":[\"Oslo\",\"Paris\"]}}}}",
         true},
        {"{\"eventName\":[\"MODIFY\"],\"dynamodb\":{\"NewImage\":{\"city\":{\"S\":[\"Oslo\"]}}}}", false},
        {"{\"eventName\":[\"MODIFY\",{\"prefix\":\"IN\"}]}", true},
        /* a pattern member naming an object where the record has a value, and the reverse */
        {"{\"eventName\":{\"x\":[\"y\"]}}", false},
        {"{\"dynamodb\":[\"MODIFY\"]}", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool got = m1(cases[i].pattern);
        if (got != cases[i].want) fprintf(stderr, "case %zu: %s\n", i, cases[i].pattern);
        CHECK_INT(got, cases[i].want);
        CHECK(valid(cases[i].pattern));
    }

    /* several filters: any one */
    json_t *rec = json_parse(a, REC, strlen(REC), 32, NULL);
    CHECK(trig_filter_match(a,
                            "{\"Filters\":[{\"Pattern\":\"{\\\"eventName\\\":[\\\"INSERT\\\"]}\"},{"
                            "\"Pattern\":\"{\\\"eventName\\\":[\\\"MODIFY\\\"]}\"}]}",
                            rec));
    CHECK(!trig_filter_match(a,
                             "{\"Filters\":[{\"Pattern\":\"{\\\"eventName\\\":[\\\"INSERT\\\"]}\"},{"
                             "\"Pattern\":\"{\\\"eventName\\\":[\\\"REMOVE\\\"]}\"}]}",
                             rec));
    CHECK(trig_filter_match(a, NULL, rec));
    CHECK(trig_filter_match(a, "{\"Filters\":[]}", rec));
    CHECK(trig_filter_match(a, "{}", rec));

    /* refused patterns */
    static const char *const bad[] = {
        "",
        "[]",
        "\"x\"",
        "{\"eventName\":\"MODIFY\"}",
        "{\"eventName\":[[\"MODIFY\"]]}",
        "{\"eventName\":[{\"prefix\":1}]}",
        "{\"eventName\":[{\"prefix\":\"a\",\"suffix\":\"b\"}]}",
        "{\"eventName\":[{\"numeric\":[\">\"]}]}",
        "{\"eventName\":[{\"numeric\":[\"~\",1]}]}",
        "{\"eventName\":[{\"numeric\":[\">\",1,\"<\",2,\"<\",3]}]}",
        "{\"eventName\":[{\"numeric\":[\">\",\"1\"]}]}",
        "{\"eventName\":[{\"exists\":\"yes\"}]}",
        "{\"eventName\":[{\"anything-but\":{\"suffix\":\"x\"}}]}",
        "{\"eventName\":[{\"wildcard\":\"*\"}]}",
        "{\"eventName\":[{}]}",
        "not json",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (valid(bad[i])) fprintf(stderr, "accepted: %s\n", bad[i]);
        CHECK(!valid(bad[i]));
    }
    arena_free(a);
    return check_done("server/test_trigfilter");
}
