--[[
  Opens a checkout on a live hold, atomically: the hold must exist and not have expired, and
  one hold opens one checkout. The hold's expiry moves to the checkout deadline (never earlier)
  so lazy expiry cannot hand its units to someone else while the worker is capturing payment
  and creating the platform order.
    Input:
      KEYS[1] the sale's holds hash      (inventory, see inventory/lua/includes/saleKeys.lua)
      KEYS[2] the sale's expiry zset     (inventory)
      KEYS[3] the checkout record hash   (all four share the sale's hash tag)
      KEYS[4] the sale's queued checkouts zset: order id -> opened at (ms), until the worker takes it up
      ARGV[1] hold id
      ARGV[2] now (ms)
      ARGV[3] checkout deadline (ms): the hold lives at least until then
      ARGV[4] record time to live (ms)
      ARGV[5..] field, value pairs of the new record (without status, lines and customer)
    Output:
      { 'opened', lines as JSON }
      { 'existing', status }    this hold already opened a checkout
      { 'hold_gone' }           no such hold: released, committed, or expired and reclaimed
      { 'hold_expired' }        the hold's time has passed
]]
--- @include "../../inventory/lua/includes/holdRecord"

local holdsKey, expiryKey, recordKey = KEYS[1], KEYS[2], KEYS[3]
local holdId, now, deadline, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])

local status = redis.call('HGET', recordKey, 'status')
if status then return { 'existing', status } end

local raw = redis.call('HGET', holdsKey, holdId)
if not raw then return { 'hold_gone' } end
local hold = decodeHold(raw)
if hold.e <= now then return { 'hold_expired' } end

-- The record's end moves; the reminder of the old end finds it later and skips it, this
-- hold's own reminder ends it then (see inventory/lua/includes/endHold.lua).
if deadline > hold.e then
  hold.e = deadline
  redis.call('HSET', holdsKey, holdId, encodeHold(hold))
  redis.call('ZADD', expiryKey, deadline, holdId)
end

local lines = cjson.encode(hold.l)
local fields = { 'status', 'queued', 'lines', lines, 'customer', hold.c }
for i = 5, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', recordKey, unpack(fields))
redis.call('PEXPIRE', recordKey, ttl)
-- Indexed in the same step: a crash before the job is enqueued leaves a record the sweeper finds.
local orderId
for i = 5, #ARGV, 2 do
  if ARGV[i] == 'orderId' then orderId = ARGV[i + 1] end
end
redis.call('ZADD', KEYS[4], now, orderId)
return { 'opened', lines }
