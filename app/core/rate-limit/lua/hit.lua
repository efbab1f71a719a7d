--[[
  Counts one request in a fixed window that opens at the key's first hit and closes by
  expiry, so no clock is read outside Redis and idle counters clean themselves up.
    Input:
      KEYS[1] counter key (string, an integer count)
      ARGV[1] window length (ms)
    Output:
      { count, ttl }  requests in the current window including this one, and ms until the
                      window closes
]]
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  -- The first hit opens the window. A counter found without expiry (written by hand, or
  -- PERSISTed) gets one too, so it can never block a key forever.
  ttl = tonumber(ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return { count, ttl }
