--[[
  Releases a sale's flush lock if it is still ours (it may have lapsed and been taken since).
    Input:
      KEYS[1] the lock key
      ARGV[1] our token
    Output:
      1 released, 0 not ours (any more)
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
