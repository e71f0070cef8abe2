-- Sequential PutItem load of BENCH_LOAD_ITEMS seeded-shape items (item i at p(i/10), s(i%10)),
-- for the memory and disk figures of a large table. Thread t of BENCH_THREADS writes items
-- t, t+T, t+2T, ... and then starts over (rewriting the same items, which changes nothing).
-- It stops once every item of its share was sent and 4 answers per connection more came back,
-- so every write has been answered unless one connection stalled that long; it then prints
-- "LOADED <tid>". wrk itself only ends at -d or SIGINT: bench.py sends SIGINT when all threads
-- have said LOADED.
local b = require("bench")
local fmt = string.format
local total = tonumber(os.getenv("BENCH_LOAD_ITEMS") or "0")
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
local conns = tonumber(os.getenv("BENCH_CONNS") or "64")

local share, answered, stopped
b.workload {
    op = "PutItem",
    init = function(args)
        share = math.floor((total - 1 - tid) / nthreads) + 1
        answered, stopped = 0, false
    end,
    body = function(n)
        local i = tid + nthreads * ((n - 1) % share)
        return fmt('{"TableName":"%s","Item":%s}', b.table,
            b.item(b.pk(math.floor(i / 10)), b.sk(i % 10), i))
    end,
    response = function(status)
        answered = answered + 1
        if not stopped and answered >= share + 4 * math.ceil(conns / nthreads) then
            stopped = true
            io.write("LOADED ", tid, "\n")
            io.stdout:flush()
            wrk.thread:stop()
        end
    end,
}
