--[[
  A platform's cost bucket mirrored in Redis, shared by every process that calls the store
  (see CostBudget.ts for the reasoning; this is the same arithmetic). Keys, all under the
  store's hash tag `{b:<store>}`:
    KEYS[1] books        hash  max, rate (points/s, already times the safety factor), level,
                               at (ms), known ("1" once the platform has reported)
    KEYS[2] outstanding  hash  reservation id -> cost: reserved, maybe not yet charged
    KEYS[3] expiry       zset  reservation id scored by the ms it stops counting (a crashed
                               process's reservations, and answerless ones after a grace)
  The clock is Redis's own (TIME), the same for every process.
]]
local booksKey, outstandingKey, expiryKey = KEYS[1], KEYS[2], KEYS[3]

local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Forgets expired reservations; returns the cost still outstanding and how many there are.
local function uncharged(now)
  local expired = redis.call('ZRANGEBYSCORE', expiryKey, '-inf', now)
  for _, id in ipairs(expired) do
    redis.call('HDEL', outstandingKey, id)
    redis.call('ZREM', expiryKey, id)
  end
  local sum, count = 0, 0
  local values = redis.call('HVALS', outstandingKey)
  for _, cost in ipairs(values) do
    sum = sum + tonumber(cost)
    count = count + 1
  end
  return sum, count
end

local function readBooks()
  local raw = redis.call('HMGET', booksKey, 'max', 'rate', 'level', 'at', 'known')
  return {
    max = tonumber(raw[1]) or 0,
    rate = tonumber(raw[2]) or 0,
    level = tonumber(raw[3]) or 0,
    at = tonumber(raw[4]) or 0,
    known = raw[5] == '1',
  }
end

-- Points available now: the level plus refills, capped at the bucket minus what is uncharged.
local function available(books, now, pending)
  local refilled = books.level + math.max(0, now - books.at) / 1000 * books.rate
  return math.min(books.max - pending, refilled)
end

local function writeLevel(level, now)
  redis.call('HSET', booksKey, 'level', tostring(level), 'at', now)
end
