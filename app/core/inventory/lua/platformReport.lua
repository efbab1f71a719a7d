--[[
  Applies a platform's stock report (not our own write coming back: the caller's echo guard
  decides that) to a sale item. A decrease that the orders settled here do not explain
  leaves the sale's available units (see includes/platformBook.lua); an increase first
  returns such units, and what the platform has beyond everything we wrote is a merchant
  restock, added to the allocation. Before the write-back's first write the report only
  becomes the base: there is nothing to compare it with.
    Input:
      KEYS[1..8] the sale's keys (see includes/saleKeys.lua)
      KEYS[9] the sale's platform book
      ARGV[1] item
      ARGV[2] units the platform reports available (integer, may be negative)
      ARGV[3] now (ms)
    Output:
      { 'applied', change to available from the unexplained decrease, units restocked, available }
      { 'baseline', available }  first report: recorded as the base
      { 'not_found', item }
]]
--- @include "includes/saleKeys"
--- @include "includes/ledger"
--- @include "includes/platformBook"

local item, reported, now = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local available = redis.call('HGET', stockKey, item .. ':avail')
if not available then return { 'not_found', item } end

local book = redis.call('HMGET', bookKey, item .. ':base', item .. ':seen', item .. ':orders')
if not book[1] then
  redis.call('HSET', bookKey, item .. ':base', reported)
  return { 'baseline', tonumber(available) }
end
local base, previous, orders = tonumber(book[1]), tonumber(book[2] or book[1]), tonumber(book[3] or '0')
local restocked = 0
if reported > previous then
  local beyond = reported + orders - base
  if beyond > 0 then
    restocked = math.min(reported - previous, beyond)
    redis.call('HINCRBY', bookKey, item .. ':base', restocked)
    redis.call('HINCRBY', stockKey, item .. ':alloc', restocked)
    redis.call('HINCRBY', stockKey, item .. ':avail', restocked)
    appendLedger('adjust', now, '', '', '', { { item, restocked } })
  end
end
redis.call('HSET', bookKey, item .. ':seen', reported)
local change = rebalance(item, now)
return { 'applied', change, restocked, tonumber(redis.call('HGET', stockKey, item .. ':avail')) }
