--[[
  Takes or renews the admission controller's lease, so one controller admits at a time.
    Input:
      KEYS[1] leader key
      ARGV[1] this controller's id
      ARGV[2] lease (ms)
    Output:
      1 when this controller leads, 0 when another one does
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
