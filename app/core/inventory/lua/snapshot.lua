--[[
  Reads a sale's counters in one atomic step.
    Input:
      KEYS[1..8] the sale's keys (see includes/saleKeys.lua)
    Output:
      { limit or false for an unknown sale, active holds, stock hash as field, value, ... }
]]
--- @include "includes/saleKeys"

return {
  redis.call('HGET', metaKey, 'limit'),
  redis.call('HLEN', holdsKey),
  redis.call('HGETALL', stockKey),
}
