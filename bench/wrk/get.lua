-- GetItem of a random seeded (existing) item; strongly consistent reads are not asked for.
local b = require("bench")
local fmt = string.format
b.workload {
    op = "GetItem",
    body = function(n)
        return fmt('{"TableName":"%s","Key":%s}', b.table, b.key_of(b.random_index()))
    end,
}
