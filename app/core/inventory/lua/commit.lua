--[[
  Turns a hold into a sale for an order. Idempotent by order reference: a second delivery of
  the same order changes nothing. A hold past its expiry that has not been reclaimed yet can
  still be committed: its units were never given to anyone else, and the shopper has paid.
    Input:
      KEYS[1..8] the sale's keys (see includes/saleKeys.lua)
      ARGV[1] hold id
      ARGV[2] order reference
      ARGV[3] now (ms)
    Output:
      { 'committed', customer, lines as "item:qty,..." }
      { 'duplicate', holdId or 'take' }  the order was already recorded
      { 'not_found' }  no such hold (released, expired and reclaimed, or committed to another order)
]]
--- @include "includes/saleKeys"
--- @include "includes/ledger"
--- @include "includes/holdRecord"

local holdId, orderRef, now = ARGV[1], ARGV[2], ARGV[3]
local recorded = redis.call('HGET', ordersKey, orderRef)
if recorded then return { 'duplicate', recorded } end

local raw = redis.call('HGET', holdsKey, holdId)
if not raw then return { 'not_found' } end
local hold = decodeHold(raw)
for _, line in ipairs(hold.l) do
  redis.call('HINCRBY', stockKey, line[1] .. ':held', -line[2])
  redis.call('HINCRBY', stockKey, line[1] .. ':sold', line[2])
end
redis.call('HDEL', holdsKey, holdId)
redis.call('ZREM', expiryKey, holdId)
redis.call('HSET', ordersKey, orderRef, holdId)
appendLedger('commit', now, holdId, orderRef, hold.c, hold.l)
return { 'committed', hold.c, encodeLines(hold.l) }
