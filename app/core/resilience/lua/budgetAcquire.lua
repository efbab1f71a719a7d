--[[
  Reserves `cost` points if the mirrored bucket holds them now.
    Input:
      KEYS[1..3] the store's budget keys (see includes/budgetBooks.lua)
      ARGV[1] cost (points)
      ARGV[2] reservation id (unique)
      ARGV[3] ms a reservation counts at most (outlives a crashed process by that much)
    Output:
      { 1, 0 }        granted: the points are spent, the reservation is outstanding
      { 0, waitMs }   not now: ask again in waitMs
      { -1, max }     never: the cost exceeds the whole bucket
]]
--- @include "includes/budgetBooks"

local cost = tonumber(ARGV[1])
local now = nowMs()
local pending, count = uncharged(now)
local books = readBooks()

local function grant()
  redis.call('HSET', outstandingKey, ARGV[2], cost)
  redis.call('ZADD', expiryKey, now + tonumber(ARGV[3]), ARGV[2])
  redis.call('PEXPIRE', outstandingKey, 86400000)
  redis.call('PEXPIRE', expiryKey, 86400000)
  return { 1, 0 }
end

if not books.known then
  -- Nobody has heard from the platform yet: one request goes alone, as a probe.
  if count == 0 then return grant() end
  return { 0, 50 }
end
if cost > books.max then return { -1, books.max } end

local points = available(books, now, pending)
if points >= cost then
  writeLevel(points - cost, now)
  return grant()
end
if cost > books.max - pending then return { 0, 50 } end
return { 0, math.max(1, math.ceil((cost - points) / books.rate * 1000)) }
