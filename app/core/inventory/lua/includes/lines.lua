-- Reads (item, quantity) pairs from ARGV starting at `first`.
local function readLines(first)
  local lines = {}
  for i = first, #ARGV, 2 do
    lines[#lines + 1] = { ARGV[i], tonumber(ARGV[i + 1]) }
  end
  return lines
end

-- Returns nil when every line can be served from `available`, else the failing outcome.
local function checkAvailable(lines)
  local fields = {}
  for i, line in ipairs(lines) do fields[i] = line[1] .. ':avail' end
  local available = redis.call('HMGET', stockKey, unpack(fields))
  for i, line in ipairs(lines) do
    local units = available[i]
    if not units then return { 'not_found', line[1] } end
    if tonumber(units) < line[2] then return { 'sold_out', line[1], units } end
  end
  return nil
end

local function unitsOf(lines)
  local units = 0
  for _, line in ipairs(lines) do units = units + line[2] end
  return units
end
