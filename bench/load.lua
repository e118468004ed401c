-- wrk's script for the benchmark's load (bench/driver.py runs `wrk -s bench/load.lua`).
--
-- BENCH_QUERY=profile|list: every request POSTs the JSON body in the file
-- BENCH_BODY with the bearer token BENCH_TOKEN. BENCH_QUERY=write: the write mix,
-- each contact created, then its additional emails set, then invited; the bodies are
-- built here around the documents (JSON strings in the files BENCH_CREATE,
-- BENCH_SET_EMAILS, BENCH_INVITE), the contact's id read from the createContact answer. BENCH_NONCE keeps
-- the generated emails of one run apart from every other run's.
--
-- A request counts as an error unless it is answered 200 without `errors` and
-- without a user error. done() prints one line the driver reads:
--   BENCH requests=<n> errors=<n> seconds=<s> p50_ms=<ms> p99_ms=<ms>

local query = os.getenv("BENCH_QUERY")
local nonce = os.getenv("BENCH_NONCE") or "0"
local threads = {}
local thread_no = 0

function setup(thread)
  thread_no = thread_no + 1
  thread:set("id", thread_no)
  table.insert(threads, thread)
end

local function read_file(path)
  local file = assert(io.open(path, "rb"))
  local content = file:read("*a")
  file:close()
  return content
end

local mutations = {}
local to_set, to_invite = {}, {}
local created = 0
errors = 0

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
  if query == "write" then
    mutations.create = read_file(os.getenv("BENCH_CREATE"))
    mutations.set_emails = read_file(os.getenv("BENCH_SET_EMAILS"))
    mutations.invite = read_file(os.getenv("BENCH_INVITE"))
  else
    wrk.body = read_file(os.getenv("BENCH_BODY"))
  end
end

-- The write mix: a step waiting goes first (an invite before a change of emails),
-- a new contact when none is waiting. A step waits until the answer to the one
-- before it came back, so each contact goes through its three mutations in order.
local function write_body()
  local id = table.remove(to_invite, 1)
  if id then
    return '{"query":' .. mutations.invite .. ',"variables":{"input":{"contactId":"' .. id .. '"}}}'
  end
  id = table.remove(to_set, 1)
  if id then
    local n = id:gsub("[^%w]", "")
    return '{"query":' .. mutations.set_emails .. ',"variables":{"input":{"contactId":"' .. id
      .. '","emails":["w' .. n .. '.a@example.org","w' .. n .. '.b@example.org"]}}}'
  end
  created = created + 1
  local tag = nonce .. "." .. id_of_thread .. "." .. created
  return '{"query":' .. mutations.create .. ',"variables":{"input":{"firstName":"Wendy",'
    .. '"lastName":"Writer","primaryEmail":"writer' .. tag .. '@example.net","additionalEmails":["w' .. tag
    .. '@example.org"]}}}'
end

if query == "write" then
  function request()
    id_of_thread = id_of_thread or wrk.thread:get("id")
    return wrk.format(nil, nil, nil, write_body())
  end
end

function response(status, headers, body)
  if status ~= 200 or body:find('"errors"', 1, true) or body:find('"userErrors":[{', 1, true) then
    errors = errors + 1
    return
  end
  if query == "write" then
    local id = body:match('"contact":{"id":"([^"]+)"')
    if id and body:find('"createContact"', 1, true) then
      table.insert(to_set, id)
    elseif id and body:find('"setAdditionalEmails"', 1, true) then
      table.insert(to_invite, id)
    end
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("errors")
  end
  failed = failed + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("BENCH requests=%d errors=%d seconds=%.6f p50_ms=%.3f p99_ms=%.3f\n",
    summary.requests, failed, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
