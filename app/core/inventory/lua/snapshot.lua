--[[
  Reads a sale's counters in one atomic step.
    Input:
      KEYS[1..8] the sale's keys (see includes/saleKeys.lua)
    Output:
      { limit or false for an unknown sale, active holds, stock hash as field, value, ...,
        oversold units as item, units, ... }
]]
--- @include "includes/saleKeys"

local oversold = {}
local meta = redis.call('HGETALL', metaKey)
for i = 1, #meta, 2 do
  if string.sub(meta[i], 1, 9) == 'oversold:' then
    oversold[#oversold + 1] = string.sub(meta[i], 10)
    oversold[#oversold + 1] = meta[i + 1]
  end
end
return {
  redis.call('HGET', metaKey, 'limit'),
  redis.call('HLEN', holdsKey),
  redis.call('HGETALL', stockKey),
  oversold,
}
