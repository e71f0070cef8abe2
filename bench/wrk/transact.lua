-- TransactWriteItems of 4 conditional Puts of new ~300-byte items (attribute_not_exists, which
-- always holds because the keys are new).
local b = require("bench")
local fmt = string.format
b.workload {
    op = "TransactWriteItems",
    body = function(n)
        local pk = b.new_pk(n, "tx")
        local ops = {}
        for k = 0, 3 do
            ops[#ops + 1] = fmt('{"Put":{"TableName":"%s","Item":%s,' ..
                '"ConditionExpression":"attribute_not_exists(pk)"}}', b.table, b.item(pk, b.sk(k), n))
        end
        return fmt('{"TransactItems":[%s]}', table.concat(ops, ","))
    end,
}
