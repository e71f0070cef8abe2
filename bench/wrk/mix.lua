-- 50/50 mix: GetItem of a random seeded item, or PutItem overwriting a random seeded item (so
-- reads keep finding items and the table keeps its size).
local b = require("bench")
local fmt = string.format
b.workload {
    body = function(n)
        local i = b.random_index()
        if math.random() < 0.5 then
            return "GetItem", fmt('{"TableName":"%s","Key":%s}', b.table, b.key_of(i))
        end
        return "PutItem", fmt('{"TableName":"%s","Item":%s}', b.table,
            b.item(b.pk(math.floor(i / 10)), b.sk(i % 10), n))
    end,
}
