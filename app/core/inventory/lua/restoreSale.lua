--[[
  Rebuilds a sale's stock whose Redis state was lost (core/recovery), from what SQL counted:
  per item its allocation and units sold, per customer the units bought, and the orders
  already recorded (so a second delivery of one changes nothing). Holds are not restored:
  they lived only in Redis. Refuses to touch a sale whose stock or meta exists, so it can
  never overwrite live counters, and running it twice changes nothing.
  Sold units beyond the allocation are not hidden: sold stops at the allocation (available
  never goes below 0) and the rest is recorded as oversold, like an oversold platform order.
    Input:
      KEYS[1..8] the sale's keys (see includes/saleKeys.lua)
      ARGV[1] per-customer unit limit (0 = none)
      ARGV[2] now (ms)
      ARGV[3] n, the number of items
      ARGV[4..3+4n] item, allocation, units sold, units oversold (per item, four values)
      ARGV[4+4n] m, the number of customers
      then m customer, units pairs
      then order reference, recorded-as (hold id or 'take') pairs to the end
    Output:
      { 'restored', items restored, units sold beyond the allocation }
      { 'exists' }  the sale has stock or meta in Redis: nothing was changed
]]
--- @include "includes/saleKeys"
--- @include "includes/ledger"

if redis.call('EXISTS', stockKey) == 1 or redis.call('EXISTS', metaKey) == 1 then return { 'exists' } end

local now = ARGV[2]
local itemCount = tonumber(ARGV[3])
redis.call('HSET', metaKey, 'limit', ARGV[1])
local allocated, sold, beyondTotal = {}, {}, 0
for i = 0, itemCount - 1 do
  local base = 4 + i * 4
  local item, allocation, units, oversold = ARGV[base], tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3])
  local kept = math.min(units, allocation)
  local beyond = units - kept
  redis.call('HSET', stockKey, item .. ':alloc', allocation, item .. ':avail', allocation - kept, item .. ':held', 0, item .. ':sold', kept)
  if oversold + beyond > 0 then redis.call('HSET', metaKey, 'oversold:' .. item, oversold + beyond) end
  beyondTotal = beyondTotal + beyond
  allocated[#allocated + 1] = { item, allocation }
  if kept > 0 then sold[#sold + 1] = { item, kept } end
end

local next = 4 + itemCount * 4
local customerCount = tonumber(ARGV[next])
for i = 1, customerCount do
  redis.call('HSET', customersKey, ARGV[next + 2 * i - 1], ARGV[next + 2 * i])
end
for i = next + 2 * customerCount + 1, #ARGV, 2 do
  redis.call('HSET', ordersKey, ARGV[i], ARGV[i + 1])
end

-- The ledger says what happened: replaying it, 'restore' resets an item, 'restore_sold' sells from it.
if #allocated > 0 then appendLedger('restore', now, '', '', '', allocated) end
if #sold > 0 then appendLedger('restore_sold', now, '', '', '', sold) end
return { 'restored', itemCount, beyondTotal }
