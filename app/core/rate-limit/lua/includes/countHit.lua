-- countHit(key, windowMs, allowed) -> count, ttl
-- Counts one request in a fixed window that opens at the key's first hit and closes by
-- expiry, so no clock is read outside Redis and idle counters clean themselves up. Hits past
-- the limit still count but never extend the window.
-- With `allowed` given, a hit within the limit costs one command (INCR; two for the first
-- hit of a window) and answers ttl nil: the window's end only matters to a refusal. A counter
-- found without expiry (written by hand, or PERSISTed) gets one no later than its first
-- refusal, so it can never block a key forever.
local function countHit(key, windowMs, allowed)
  local count = redis.call('INCR', key)
  if count == 1 then
    redis.call('PEXPIRE', key, windowMs)
    return count, tonumber(windowMs)
  end
  if allowed and count <= allowed then return count, nil end
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then
    ttl = tonumber(windowMs)
    redis.call('PEXPIRE', key, ttl)
  end
  return count, ttl
end
