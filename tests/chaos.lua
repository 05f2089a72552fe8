-- wrk script for tests/chaos.py: counts every request sent and every response received,
-- by status, in 100 ms slots of wall-clock time, so chaos.py can tell in which phase each
-- one happened.  At the end it writes them, with wrk's own error counters, to the file
-- named by $JK_CHAOS_OUT:
--
--   summary requests=N duration_us=N connect=N read=N write=N status=N timeout=N
--   latency_us p50=N p90=N p99=N max=N
--   SLOT sent N          requests handed to a connection in that slot
--   SLOT STATUS N        responses with that HTTP status completed in that slot
--
-- SLOT is tenths of a second since the Unix epoch.  Socket errors have no hook in wrk's
-- Lua API: they are only in the summary line (and wrk's own report).

local ffi = require("ffi")
ffi.cdef [[
struct jk_chaos_timeval { long tv_sec; long tv_usec; };
int gettimeofday(struct jk_chaos_timeval *tv, void *tz);
]]

local tv = ffi.new("struct jk_chaos_timeval")

local function slot()
   ffi.C.gettimeofday(tv, nil)
   return tonumber(tv.tv_sec) * 10 + math.floor(tonumber(tv.tv_usec) / 100000)
end

-- Main state: the threads, to collect their counts in done().
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

-- Thread states: counts must be a global for thread:get().
counts = {}
local req

local function add(key)
   counts[key] = (counts[key] or 0) + 1
end

function init(args)
   req = wrk.format()
end

function request()
   add(slot() .. " sent")
   return req
end

function response(status, headers, body)
   add(slot() .. " " .. status)
end

function done(summary, latency, requests)
   local path = os.getenv("JK_CHAOS_OUT")
   if path == nil then
      return
   end
   local out = assert(io.open(path, "w"))
   local e = summary.errors
   out:write(string.format(
      "summary requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
      summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout))
   out:write(string.format("latency_us p50=%d p90=%d p99=%d max=%d\n",
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
   local total = {}
   for _, thread in ipairs(threads) do
      for key, n in pairs(thread:get("counts")) do
         total[key] = (total[key] or 0) + n
      end
   end
   for key, n in pairs(total) do
      out:write(key .. " " .. n .. "\n")
   end
   out:close()
end
