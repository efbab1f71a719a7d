--[[
  Sets up a sale's stock: creates the items that do not exist yet with their allocation and
  sets the per-customer limit. Existing items keep their counters (use adjust to change
  them), so running it again, e.g. after a restart, is harmless.
    Input:
      KEYS[1..8] the sale's keys (see includes/saleKeys.lua)
      ARGV[1] per-customer unit limit (0 = none)
      ARGV[2] now (ms)
      ARGV[3..] item, allocation pairs
    Output:
      { 'defined', number of items created }
]]
--- @include "includes/saleKeys"
--- @include "includes/ledger"
--- @include "includes/lines"

local now = ARGV[2]
redis.call('HSET', metaKey, 'limit', ARGV[1])
local created = 0
for _, line in ipairs(readLines(3)) do
  local item, allocation = line[1], line[2]
  if redis.call('HSETNX', stockKey, item .. ':alloc', allocation) == 1 then
    redis.call('HSET', stockKey, item .. ':avail', allocation, item .. ':held', 0, item .. ':sold', 0)
    appendLedger('allocate', now, '', '', '', { line })
    created = created + 1
  end
end
return { 'defined', created }
