-- wrk script for bench/run.py. It ends with one line, "BENCH {json}", of the run's figures.
-- BENCH_MODE: "get" sends the same request each time; "random" adds a fresh random query
-- string to every request (`?r=...`), as a flood of cache-busting addresses would; "post"
-- sends the bodies in the file BENCH_BODIES (one urlencoded body a line) in turn, each once;
-- "browser" sends the same request, asking for a compressed answer as browsers do.
local mode = os.getenv("BENCH_MODE") or "get"
if mode == "browser" then
  wrk.headers["Accept-Encoding"] = "gzip, deflate, br"
end
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("id", thread_count)
end

function init(args)
  sent = 0
  math.randomseed(os.time() * 100 + id)
  threads = tonumber(os.getenv("BENCH_THREADS"))
  if mode == "post" then
    bodies = {}
    for line in io.lines(os.getenv("BENCH_BODIES")) do
      bodies[#bodies + 1] = line
    end
    headers = {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Cookie"] = os.getenv("BENCH_COOKIE"),
    }
  end
end

-- Left undefined for "get": wrk then builds the request once and reuses it.
if mode == "random" then
  function request()
    local token = string.format("%08x%08x", math.random(0, 0x7fffffff), math.random(0, 0x7fffffff))
    return wrk.format("GET", wrk.path .. "?r=" .. token)
  end
elseif mode == "post" then
  function request()
    -- The threads take turns through the pool, so no two requests share a submission key.
    local index = sent * threads + id
    sent = sent + 1
    return wrk.format("POST", wrk.path, headers, bodies[(index - 1) % #bodies + 1])
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
      .. '"socket_errors": %d, "status_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.connect + errors.read + errors.write + errors.timeout, errors.status
  ))
end
