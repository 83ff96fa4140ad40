-- bench/site_benchmark.py's wrk script: counts each answer's status, its X-Byline-Queries
-- (queries counted inside the server) and its X-Page-Cache, and prints them with the latency
-- percentiles as one line of JSON when the run is done.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  queries = 0
  counted = 0
  cache = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  local q = headers["X-Byline-Queries"]
  if q then
    queries = queries + tonumber(q)
    counted = counted + 1
  end
  local c = headers["X-Page-Cache"] or "-"
  cache[c] = (cache[c] or 0) + 1
end

local function merge(into, from)
  for k, v in pairs(from) do
    into[k] = (into[k] or 0) + v
  end
end

local function object(t)
  local parts = {}
  for k, v in pairs(t) do
    table.insert(parts, string.format("%q:%d", tostring(k), v))
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
  local all_statuses, all_cache, all_queries, all_counted = {}, {}, 0, 0
  for _, thread in ipairs(threads) do
    merge(all_statuses, thread:get("statuses"))
    merge(all_cache, thread:get("cache"))
    all_queries = all_queries + thread:get("queries")
    all_counted = all_counted + thread:get("counted")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d,' ..
    '"queries":%d,"counted":%d,"statuses":%s,"cache":%s}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, all_queries, all_counted,
    object(all_statuses), object(all_cache)))
end
