-- PutItem of a new ~300-byte item (a key no request has written before) per request.
local b = require("bench")
local fmt = string.format
b.workload {
    op = "PutItem",
    body = function(n)
        return fmt('{"TableName":"%s","Item":%s}', b.table, b.item(b.new_pk(n), "s00", n))
    end,
}
