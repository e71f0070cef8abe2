-- BatchWriteItem of 25 new ~300-byte items (one new partition of 25 sort keys) per request.
local b = require("bench")
local fmt = string.format
b.workload {
    op = "BatchWriteItem",
    body = function(n)
        local pk = b.new_pk(n, "bw")
        local reqs = {}
        for k = 0, 24 do
            reqs[#reqs + 1] = fmt('{"PutRequest":{"Item":%s}}', b.item(pk, b.sk(k), n))
        end
        return fmt('{"RequestItems":{"%s":[%s]}}', b.table, table.concat(reqs, ","))
    end,
}
