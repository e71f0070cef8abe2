-- Query of one random seeded partition: 10 items of ~300 bytes in one page.
local b = require("bench")
local fmt = string.format
b.workload {
    op = "Query",
    body = function(n)
        return fmt('{"TableName":"%s","KeyConditionExpression":"pk = :p",' ..
            '"ExpressionAttributeValues":{":p":{"S":"%s"}}}', b.table, b.pk(math.random(0, b.partitions - 1)))
    end,
}
