-- UpdateItem with a condition on a random seeded item: increment a counter and set a string,
-- only if the item exists (always true, so every request succeeds).
local b = require("bench")
local fmt = string.format
b.workload {
    op = "UpdateItem",
    body = function(n)
        return fmt('{"TableName":"%s","Key":%s,' ..
            '"UpdateExpression":"SET #n = #n + :one, #s = :s",' ..
            '"ConditionExpression":"attribute_exists(pk)",' ..
            '"ExpressionAttributeNames":{"#n":"n","#s":"status"},' ..
            '"ExpressionAttributeValues":{":one":{"N":"1"},":s":{"S":"seen-%d"}},' ..
            '"ReturnValues":"NONE"}', b.table, b.key_of(b.random_index()), n)
    end,
}
