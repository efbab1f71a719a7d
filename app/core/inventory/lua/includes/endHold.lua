--- @include "holdRecord"

-- Returns a hold's units to `available` and forgets the hold.
local function endHold(holdId, hold, eventType, now)
  local units = 0
  for _, line in ipairs(hold.l) do
    redis.call('HINCRBY', stockKey, line[1] .. ':avail', line[2])
    redis.call('HINCRBY', stockKey, line[1] .. ':held', -line[2])
    units = units + line[2]
  end
  if redis.call('HINCRBY', customersKey, hold.c, -units) <= 0 then
    redis.call('HDEL', customersKey, hold.c)
  end
  -- The requester's address ('@<address>', see reserve.lua) gets the units back too.
  if hold.a and redis.call('HINCRBY', customersKey, hold.a, -units) <= 0 then
    redis.call('HDEL', customersKey, hold.a)
  end
  redis.call('HDEL', holdsKey, holdId)
  redis.call('ZREM', expiryKey, holdId)
  appendLedger(eventType, now, holdId, '', hold.c, hold.l)
end

-- Lazy expiry: ends at most `max` holds whose time has passed, oldest first, so that
-- correctness never depends on a sweeper being alive and no call does unbounded work.
-- The expiry index holds reminders, not holds: a member is the ids of the holds due at its
-- score, joined by ',' (reserve.lua writes one member per call for every hold it made, one
-- ZADD entry instead of one per hold). The hold's record says when it ends: a hold ended
-- meanwhile is gone from the holds hash, and one whose checkout moved its end later
-- (checkout/lua/openCheckout.lua) is skipped here and has a later reminder of its own.
-- `now` and `max` are the text the script received: a number handed to redis.call is printed
-- with printf, which costs more than the lookup itself when nothing is due.
local function reclaimExpired(now, max)
  max = tonumber(max)
  if max <= 0 then return 0 end
  local nowNumber, ended = tonumber(now), 0
  local due = redis.call('ZRANGE', expiryKey, '-inf', now, 'BYSCORE', 'WITHSCORES', 'LIMIT', '0', max)
  for i = 1, #due, 2 do
    local reminder, score = due[i], due[i + 1]
    redis.call('ZREM', expiryKey, reminder)
    local from = 1
    while from <= #reminder do
      if ended >= max then
        -- The reminder's other holds stay due for the next call.
        redis.call('ZADD', expiryKey, score, string.sub(reminder, from))
        return ended
      end
      local comma = string.find(reminder, ',', from, true) or #reminder + 1
      local holdId = string.sub(reminder, from, comma - 1)
      from = comma + 1
      local raw = redis.call('HGET', holdsKey, holdId)
      if raw then
        local hold = decodeHold(raw)
        if hold.e <= nowNumber then
          endHold(holdId, hold, 'expire', now)
          ended = ended + 1
        end
      end
    end
  end
  return ended
end
