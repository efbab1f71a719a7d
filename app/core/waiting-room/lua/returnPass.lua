--[[
  Gives a pass back when the hold it was spent on could not be placed (sold out, over the
  limit), so the shopper can try another cart.
    Input:
      KEYS[1] the pass's spent marker
      KEYS[2] spent passes hash
      ARGV[1] request id that spent it
      ARGV[2] first position of the pass's admission batch
    Output:
      1 when returned, 0 when the marker belongs to another request or is gone
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HINCRBY', KEYS[2], ARGV[2], -1)
return 1
