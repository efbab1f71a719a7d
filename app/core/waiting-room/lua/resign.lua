--[[
  Gives up the lease if this controller holds it, so a successor need not wait it out.
    Input:
      KEYS[1] leader key
      ARGV[1] this controller's id
    Output:
      1 when the lease was released, 0 otherwise
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
