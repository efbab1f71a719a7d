--[[
  Releases an order's lock only if it is still ours: it may have expired and been taken by
  another job meanwhile.
    Input:
      KEYS[1] the order's lock (see keys.ts orderLockKey)
      ARGV[1] the token this holder set
    Output:
      1 released, 0 the lock was not ours (any more)
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
