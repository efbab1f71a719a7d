--[[
  Changes an item's allocation (merchant restock or reduction). A reduction can only take
  units that are available: held and sold units are never taken back.
    Input:
      KEYS[1..8] the sale's keys (see includes/saleKeys.lua)
      ARGV[1] item
      ARGV[2] delta (non-zero integer)
      ARGV[3] now (ms)
    Output:
      { 'adjusted', allocated, available, held, sold }
      { 'insufficient', available }  the reduction is larger than what is available
      { 'not_found', item }
]]
--- @include "includes/saleKeys"
--- @include "includes/ledger"

local item, delta, now = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local available = redis.call('HGET', stockKey, item .. ':avail')
if not available then return { 'not_found', item } end
if tonumber(available) + delta < 0 then return { 'insufficient', available } end

local allocated = redis.call('HINCRBY', stockKey, item .. ':alloc', delta)
available = redis.call('HINCRBY', stockKey, item .. ':avail', delta)
appendLedger('adjust', now, '', '', '', { { item, delta } })
local counters = redis.call('HMGET', stockKey, item .. ':held', item .. ':sold')
return { 'adjusted', allocated, available, counters[1], counters[2] }
