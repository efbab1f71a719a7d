--[[
  Sweeps expired holds of one sale (for a worker; reserve and take also reclaim lazily).
    Input:
      KEYS[1..8] the sale's keys (see includes/saleKeys.lua)
      ARGV[1] now (ms)
      ARGV[2] how many holds to end at most
    Output:
      { holds ended, 1 if more expiry reminders are due else 0 }
]]
--- @include "includes/saleKeys"
--- @include "includes/ledger"
--- @include "includes/endHold"

local now = tonumber(ARGV[1])
local ended = reclaimExpired(ARGV[1], ARGV[2])
local more = #redis.call('ZRANGE', expiryKey, '-inf', now, 'BYSCORE', 'LIMIT', 0, 1)
return { ended, more }
