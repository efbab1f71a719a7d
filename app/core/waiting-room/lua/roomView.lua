--[[
  Everything a status answer needs, read in one step: the room hash and the admission
  batches recent enough to matter (passes still valid, or inside the rate window).
    Input:
      KEYS[1] room hash
      KEYS[2] admissions zset
      ARGV[1] now (ms)
      ARGV[2] rate window (ms)
    Output:
      { room hash as field, value, ..., batches as member, score, ... }
]]
local passMs = tonumber(redis.call('HGET', KEYS[1], 'passMs') or '0')
local window = math.max(passMs, tonumber(ARGV[2]))
return {
  redis.call('HGETALL', KEYS[1]),
  redis.call('ZRANGE', KEYS[2], tonumber(ARGV[1]) - window, '+inf', 'BYSCORE', 'WITHSCORES'),
}
