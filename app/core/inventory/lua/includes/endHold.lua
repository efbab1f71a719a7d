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
-- `now` and `max` are the text the script received: a number handed to redis.call is printed
-- with printf, which costs more than the lookup itself when nothing is due.
local function reclaimExpired(now, max)
  if tonumber(max) <= 0 then return 0 end
  local ids = redis.call('ZRANGE', expiryKey, '-inf', now, 'BYSCORE', 'LIMIT', '0', max)
  for _, holdId in ipairs(ids) do
    local raw = redis.call('HGET', holdsKey, holdId)
    if raw then
      endHold(holdId, decodeHold(raw), 'expire', now)
    else
      redis.call('ZREM', expiryKey, holdId)
    end
  end
  return #ids
end
