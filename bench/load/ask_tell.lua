-- wrk script: complete ask/tell round trips against one study.
--   wrk -t2 -c16 -d10s --latency -s ask_tell.lua http://127.0.0.1:PORT -- STUDY [TOKEN]
-- Each connection alternates: when a suggested trial is waiting in this thread's queue it completes it, otherwise it
-- asks for a new one. A round trip is one suggest plus one complete; responses are matched by content (a suggest
-- answer has "trials"), so several connections per thread are fine. Latency figures are per HTTP request.

local study, token
local queue = {}
local head, tail = 1, 0
suggests, completes, errors, first_error = 0, 0, 0, ""

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  study = args[1] or "load"
  token = args[2]
  wrk.headers["Content-Type"] = "application/json"
  if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
end

function request()
  if head <= tail then
    local n = queue[head]
    queue[head] = nil
    head = head + 1
    local y = (n * 7919 % 1000) / 100.0
    return wrk.format("POST", "/api/v1/studies/" .. study .. "/trials/" .. n .. "/complete", nil,
                      '{"values":{"y":' .. string.format("%.6f", y) .. '}}')
  end
  return wrk.format("POST", "/api/v1/studies/" .. study .. "/suggest", nil, '{"worker":"wrk"}')
end

function response(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
    if first_error == "" then first_error = status .. " " .. string.sub(body or "", 1, 200) end
    return
  end
  if string.find(body, '"trials"', 1, true) then
    local n = string.match(body, '"number"%s*:%s*(%d+)')
    if n then
      suggests = suggests + 1
      tail = tail + 1
      queue[tail] = tonumber(n)
    else
      errors = errors + 1
    end
  else
    completes = completes + 1
  end
end

function done(summary, latency, requests)
  local s, c, e, fe = 0, 0, 0, ""
  for _, t in ipairs(threads) do
    s = s + t:get("suggests")
    c = c + t:get("completes")
    e = e + t:get("errors")
    local f = t:get("first_error")
    if fe == "" and f and f ~= "" then fe = f end
  end
  local secs = summary.duration / 1e6
  io.write(string.format("RESULT roundtrips_per_s=%.1f requests_per_s=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f " ..
                         "max_ms=%.3f suggests=%d completes=%d errors=%d socket_errors=%d\n",
                         c / secs, summary.requests / secs, latency:percentile(50) / 1000,
                         latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
                         s, c, e, summary.errors.connect + summary.errors.read + summary.errors.write +
                         summary.errors.timeout))
  if fe ~= "" then io.write("FIRST_ERROR " .. fe .. "\n") end
end
