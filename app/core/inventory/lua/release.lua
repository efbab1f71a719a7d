--[[
  Ends a hold early (the shopper gave it up, or the order failed) and returns its units.
    Input:
      KEYS[1..8] the sale's keys (see includes/saleKeys.lua)
      ARGV[1] hold id
      ARGV[2] now (ms)
    Output:
      { 'released' }
      { 'not_found' }  no such hold: already released, committed or expired
]]
--- @include "includes/saleKeys"
--- @include "includes/ledger"
--- @include "includes/endHold"

local raw = redis.call('HGET', holdsKey, ARGV[1])
if not raw then return { 'not_found' } end
endHold(ARGV[1], decodeHold(raw), 'release', ARGV[2])
return { 'released' }
