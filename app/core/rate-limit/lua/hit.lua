--[[
  Counts one request against a fixed-window limit (see includes/countHit).
    Input:
      KEYS[1] counter key (string, an integer count)
      ARGV[1] window length (ms)
    Output:
      { count, ttl }  requests in the current window including this one, and ms until the
                      window closes
]]
--- @include "includes/countHit"
local count, ttl = countHit(KEYS[1], ARGV[1])
return { count, ttl }
