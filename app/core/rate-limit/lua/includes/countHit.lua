-- countHit(key, windowMs) -> count, ttl
-- Counts one request in a fixed window that opens at the key's first hit and closes by
-- expiry, so no clock is read outside Redis and idle counters clean themselves up. A counter
-- found without expiry (written by hand, or PERSISTed) gets one too, so it can never block
-- a key forever. Hits past the limit still count but never extend the window.
local function countHit(key, windowMs)
  local count = redis.call('INCR', key)
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then
    ttl = tonumber(windowMs)
    redis.call('PEXPIRE', key, ttl)
  end
  return count, ttl
end
