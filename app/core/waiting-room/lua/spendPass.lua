--[[
  Spends an admission pass on a hold, once. The same request may retry with the same pass
  (it gets the same hold from reserve); another request with a spent pass is refused.
  A 'replay' must never lead to returnPass: only the request that got 'spent' may give the
  pass back, and only when its hold was refused, so a pass that bought a hold stays spent.
    Input:
      KEYS[1] the pass's spent marker (short-lived)
      KEYS[2] spent passes hash (capacity accounting)
      ARGV[1] request id
      ARGV[2] time until the pass expires (ms)
      ARGV[3] first position of the pass's admission batch
    Output:
      'spent' | 'replay' | 'used'
]]
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
  return 'spent'
end
if redis.call('GET', KEYS[1]) == ARGV[1] then return 'replay' end
return 'used'
