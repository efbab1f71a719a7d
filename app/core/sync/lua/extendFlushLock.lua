--[[
  Extends a sale's flush lock if it is still ours, before each platform call of a long flush.
    Input:
      KEYS[1] the lock key
      ARGV[1] our token
      ARGV[2] new time to live (ms)
    Output:
      1 extended, 0 lost (another flush may be running: stop writing)
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
