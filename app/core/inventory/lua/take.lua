--[[
  Sells units straight from `available` for an order that arrived without a hold (it
  bypassed the waiting room). It never touches held units, so shoppers with holds keep them.
  All or nothing, idempotent by order reference; reclaims expired holds first (bounded).
    Input:
      KEYS[1..8] the sale's keys (see includes/saleKeys.lua)
      ARGV[1] order reference
      ARGV[2] customer ('' when unknown)
      ARGV[3] now (ms)
      ARGV[4] how many expired holds to reclaim at most
      ARGV[5..] item, quantity pairs (distinct items)
    Output:
      { 'taken', units the customer now has in this sale }
      { 'duplicate', holdId or 'take' }  the order was already recorded
      { 'sold_out', item, available }
      { 'not_found', item or '' for an unknown sale }
]]
--- @include "includes/saleKeys"
--- @include "includes/ledger"
--- @include "includes/endHold"
--- @include "includes/lines"

local orderRef, customer, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local recorded = redis.call('HGET', ordersKey, orderRef)
if recorded then return { 'duplicate', recorded } end
if redis.call('EXISTS', metaKey) == 0 then return { 'not_found', '' } end

reclaimExpired(ARGV[3], ARGV[4])

local lines = readLines(5)
local failure = checkAvailable(lines)
if failure then return failure end

for _, line in ipairs(lines) do
  redis.call('HINCRBY', stockKey, line[1] .. ':avail', -line[2])
  redis.call('HINCRBY', stockKey, line[1] .. ':sold', line[2])
end
local counted = 0
if customer ~= '' then
  counted = redis.call('HINCRBY', customersKey, customer, unitsOf(lines))
end
redis.call('HSET', ordersKey, orderRef, 'take')
appendLedger('take', now, '', orderRef, customer, lines)
return { 'taken', counted }
