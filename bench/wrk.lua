-- wrk script of the bench: counts response statuses per thread and prints them when done.
--   wrk ... -s bench/wrk.lua URL -- GET
--   wrk ... -s bench/wrk.lua URL -- POST <file of API keys, one a line> <form body without api_key>
-- A POST takes the next API key for each request: each client system stays within its own rate limit.
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   statuses = {}
   if args[1] == "POST" then
      local keys = {}
      for line in io.lines(args[2]) do
         if line ~= "" then table.insert(keys, line) end
      end
      local form = args[3]
      local headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
      local counter = 0
      -- defined here, so GET requests stay static (wrk reuses one prepared request for them)
      request = function()
         counter = counter + 1
         local body = form .. "&api_key=" .. keys[(counter % #keys) + 1]
         return wrk.format("POST", nil, headers, body)
      end
   end
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local counts = {}
   for _, thread in ipairs(threads) do
      for status, n in pairs(thread:get("statuses")) do
         counts[status] = (counts[status] or 0) + n
      end
   end
   local parts = {}
   for status, n in pairs(counts) do
      table.insert(parts, string.format('"%d": %d', status, n))
   end
   io.write(string.format("BENCH-STATUSES {%s}\n", table.concat(parts, ", ")))
end
