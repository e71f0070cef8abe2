-- bench.lua: what every workload script shares. A workload file is three lines:
--
--     local b = require("bench")
--     b.workload { op = "GetItem", body = function(n) return '{"TableName":...}' end }
--
-- and gets wrk's setup/init/request/done from here. `body(n)` is called once per request with n
-- = this thread's request counter (1, 2, ...); keys come from n, from math.random (seeded per
-- thread, so runs repeat) or from the run tag, never from a constant.
--
-- Data model (bench.py seeds it through the same item.fmt): table BENCH_TABLE, HASH key pk,
-- RANGE key sk, BENCH_PARTITIONS partitions "p000000".. of 10 items "s00".."s09" each; item i
-- lives at pk = p(i // 10), sk = s(i % 10).
--
-- Environment (set by bench.py; LUA_PATH points at this folder):
--   BENCH_DIR         this folder (to read item.fmt)
--   BENCH_TABLE       table name (default "bench")
--   BENCH_PARTITIONS  seeded partitions (default 1000, i.e. 10,000 items)
--   BENCH_TAG         unique per run: prefix of the keys that writes create, so runs never collide
--   BENCH_PROBE=1     probe mode: send one request, print "PROBE <status> <body>", stop the thread
--   BENCH_LOAD_ITEMS  load.lua only: how many items to load
--
-- done() prints one line "BENCHJSON {...}" that bench.py parses (requests, duration, errors,
-- latency percentiles in microseconds). It adds no response() callback outside probe and load
-- mode, because a response() makes wrk hand every response to Lua, which costs wrk CPU on the
-- cores it shares with the server.
local M = {}

M.table = os.getenv("BENCH_TABLE") or "bench"
M.partitions = tonumber(os.getenv("BENCH_PARTITIONS") or "1000")
M.items = M.partitions * 10
M.tag = os.getenv("BENCH_TAG") or "t"
M.probe = os.getenv("BENCH_PROBE") == "1"

local dir = os.getenv("BENCH_DIR") or "."
local f = assert(io.open(dir .. "/item.fmt", "r"))
local item_fmt = f:read("*a"):gsub("%s+$", "")
f:close()

local fmt = string.format

function M.pk(p) return fmt("p%06d", p) end
function M.sk(s) return fmt("s%02d", s) end

-- The item stored at partition key pk, sort key sk; i only varies the non-key attributes.
function M.item(pk, sk, i)
    return fmt(item_fmt, pk, sk, i, i, i % 90, i)
end

-- Key JSON of seeded item i (0 <= i < M.items).
function M.key_of(i)
    return fmt('{"pk":{"S":"%s"},"sk":{"S":"%s"}}', M.pk(math.floor(i / 10)), M.sk(i % 10))
end

-- A random seeded item index.
function M.random_index() return math.random(0, M.items - 1) end

-- A fresh key for writes that create items: unique per run, thread and request.
function M.new_pk(n, k)
    return fmt("%s-%d-%d", M.tag, tid or 0, n) .. (k and ("-" .. k) or "")
end

-- Headers of a real DynamoDB request. The signature is not valid (neither server checks it), but
-- the Authorization header has SigV4's shape so that servers which parse it are satisfied.
local function prefix(op)
    local host = wrk.host .. ((wrk.port and wrk.port ~= "") and (":" .. wrk.port) or "")
    return "POST / HTTP/1.1\r\n" ..
        "Host: " .. host .. "\r\n" ..
        "Content-Type: application/x-amz-json-1.0\r\n" ..
        "X-Amz-Target: DynamoDB_20120810." .. op .. "\r\n" ..
        "X-Amz-Date: 20261121T000000Z\r\n" ..
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIDBENCH/20261121/us-east-1/dynamodb/aws4_request, " ..
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, " ..
        "Signature=0000000000000000000000000000000000000000000000000000000000000000\r\n" ..
        "Content-Length: "
end

-- Install wrk's callbacks for a workload: spec.op (default for every request), spec.body(n)
-- returning the JSON body, or returning op, body to pick the operation per request (mixes).
function M.workload(spec)
    local prefixes = {}
    local function pre(op)
        local p = prefixes[op]
        if not p then p = prefix(op); prefixes[op] = p end
        return p
    end

    local threads = {}
    local counter = 0
    function setup(thread)
        thread:set("tid", counter)
        counter = counter + 1
        table.insert(threads, thread)
    end

    local n = 0
    function init(args)
        math.randomseed(1234567 + 7919 * (tid or 0))
        if spec.init then spec.init(args) end
    end

    function request()
        n = n + 1
        local op, body = spec.op, nil
        local a, b = spec.body(n)
        if b ~= nil then op, body = a, b else body = a end
        return pre(op) .. #body .. "\r\n\r\n" .. body
    end

    if M.probe then
        local seen = false
        function response(status, headers, body)
            if not seen then
                seen = true
                io.write("PROBE ", status, " ", (body or ""):gsub("[\r\n]", " "), "\n")
                io.stdout:flush()
            end
            wrk.thread:stop()
        end
    elseif spec.response then
        response = spec.response
    end

    function done(summary, latency, requests)
        local e = summary.errors
        local p = {}
        for _, q in ipairs({ 50, 90, 99, 99.9 }) do
            table.insert(p, fmt('"%s":%d', tostring(q), latency:percentile(q)))
        end
        io.write(fmt('BENCHJSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
            '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
            '"latency_us":{"mean":%.1f,"max":%d,%s}}\n',
            summary.requests, summary.duration, summary.bytes,
            e.connect, e.read, e.write, e.status, e.timeout,
            latency.mean, latency.max, table.concat(p, ",")))
    end
end

return M
