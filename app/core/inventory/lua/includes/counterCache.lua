-- Integer fields of one hash, read at most once and written once per call: a command that
-- serves many requests (reserve.lua) reads every field it will need with one HMGET and
-- writes the changed ones back with one HSET, instead of a read and a write per request.
-- Values are kept as Lua numbers; `false` stands for a missing field. Each field costs one
-- table entry per step (read, changed): table inserts are much of a batched reserve's cost.
local function counterCache(key)
  local values, changed = {}, {}
  local cache = {}

  -- Reads the fields not read yet (a list; repeats allowed) in one round.
  function cache.load(fields)
    local wanted = {}
    for _, field in ipairs(fields) do
      if values[field] == nil then
        values[field] = false -- until read; also marks a repeat in `fields` as wanted already
        wanted[#wanted + 1] = field
      end
    end
    if #wanted == 0 then return end
    local read = redis.call('HMGET', key, unpack(wanted))
    for i, field in ipairs(wanted) do
      local value = read[i]
      if value then values[field] = tonumber(value) end
    end
  end

  function cache.get(field)
    if values[field] == nil then cache.load({ field }) end
    return values[field]
  end

  function cache.add(field, delta)
    values[field] = (cache.get(field) or 0) + delta
    changed[field] = true
  end

  -- Writes the changed fields (as integers: tostring would print large ones as 1e+15) and
  -- forgets every value, so a caller that changes the hash directly afterwards is read anew.
  function cache.flush()
    local flat = {}
    for field in pairs(changed) do
      flat[#flat + 1] = field
      flat[#flat + 1] = string.format('%d', values[field])
    end
    if #flat > 0 then redis.call('HSET', key, unpack(flat)) end
    values, changed = {}, {}
  end

  return cache
end
