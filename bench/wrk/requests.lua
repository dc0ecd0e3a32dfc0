-- wrk script for bench/run.py: replays the requests of a file, one per line, tab-separated:
--   METHOD <tab> PATH <tab> COOKIE <tab> CSRF-TOKEN <tab> FLAGS <tab> BODY
-- (FLAGS: "h" adds HX-Request: true, "|<tag>" If-None-Match: <tag>; a BODY makes it a form POST).  Each wrk thread takes every
-- Nth line from its own offset, so no two threads send the same line; a thread that reaches the
-- end starts again and counts it in "wrapped" (bench/run.py checks it is 0 where every request
-- must be fresh, e.g. submit).  usage: wrk ... -s requests.lua URL -- FILE THREADS USER-AGENT
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  local file, nthreads, agent = args[1], tonumber(args[2]), args[3]
  reqs = {}
  for line in io.lines(file) do
    local method, path, cookie, csrf, flags, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = {["User-Agent"] = agent}
    if cookie ~= "" then headers["Cookie"] = cookie end
    if csrf ~= "" then headers["X-CSRFToken"] = csrf end
    local etag = flags:match("|(.+)$")
    if etag then headers["If-None-Match"] = etag end
    if flags:gsub("|.*$", ""):find("h") then headers["HX-Request"] = "true" end
    if body ~= "" then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
    else
      body = nil
    end
    table.insert(reqs, wrk.format(method, path, headers, body))
  end
  stride = nthreads
  index = tid + 1
  wrapped = 0
end

function request()
  local r = reqs[index]
  index = index + stride
  if index > #reqs then
    index = tid + 1
    wrapped = wrapped + 1
  end
  return r
end

function done(summary, latency, requests)
  local wrapped_total = 0
  for _, thread in ipairs(threads) do
    wrapped_total = wrapped_total + (thread:get("wrapped") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"mean_us": %.1f, "max_us": %d, "errors_connect": %d, "errors_read": %d, "errors_write": %d, ' ..
    '"errors_status": %d, "errors_timeout": %d, "wrapped": %d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.mean, latency.max, e.connect, e.read, e.write, e.status, e.timeout,
    wrapped_total))
end
