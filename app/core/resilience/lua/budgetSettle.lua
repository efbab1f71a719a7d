--[[
  Ends a reservation. Answered: the platform charged it and reported its bucket, which can
  lower the shared books (someone outside them spends the bucket) but never raise them.
  Not answered: it may still reach the platform, so it keeps counting for a grace period.
    Input:
      KEYS[1..3] the store's budget keys (see includes/budgetBooks.lua)
      ARGV[1] reservation id
      ARGV[2] "report" answered with a bucket report, "answered" answered without one,
              "lost" no answer
      ARGV[3] reported maximumAvailable
      ARGV[4] reported currentlyAvailable
      ARGV[5] reported restoreRate times our safety factor (points/s)
      ARGV[6] points that refill while an answer travels (tolerance)
      ARGV[7] grace (ms) an answerless reservation keeps counting
      ARGV[8] ms the books live unused
    Output:
      1  ended
      0  unknown or already ended (a second settle, or it expired)
]]
--- @include "includes/budgetBooks"

local id = ARGV[1]
local now = nowMs()
local pending = uncharged(now)
if redis.call('HEXISTS', outstandingKey, id) == 0 then return 0 end
local books = readBooks()

-- Fix the books at now before the outstanding set (and so the cap) changes.
local level = books.known and available(books, now, pending) or 0

if ARGV[2] == 'lost' then
  redis.call('ZADD', expiryKey, now + tonumber(ARGV[7]), id)
  if books.known then writeLevel(level, now) end
  return 1
end

redis.call('HDEL', outstandingKey, id)
redis.call('ZREM', expiryKey, id)
if ARGV[2] ~= 'report' then
  if books.known then writeLevel(level, now) end
  return 1
end
pending = uncharged(now)

local max, rate = tonumber(ARGV[3]), tonumber(ARGV[5])
local reported = math.min(max, tonumber(ARGV[4]))
if not books.known then
  level = reported - pending
else
  local booked = math.min(max - pending, level)
  if reported + tonumber(ARGV[6]) >= booked then
    level = booked
  else
    level = math.min(booked, reported - pending)
  end
end
redis.call('HSET', booksKey, 'max', max, 'rate', rate, 'known', '1')
writeLevel(level, now)
redis.call('PEXPIRE', booksKey, tonumber(ARGV[8]))
return 1
