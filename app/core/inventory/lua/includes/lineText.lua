-- Lines as text, "item:qty,item:qty": how the ledger and the hold records carry a cart, so
-- neither needs JSON (cjson costs a few microseconds per hold on the hot path) and consumers
-- need no JSON decoder. Item ids are [A-Za-z0-9_-] (assertId), so ':' and ',' never occur in them.
local function encodeLines(lines)
  local parts = {}
  for i, line in ipairs(lines) do
    parts[i] = line[1] .. ':' .. line[2]
  end
  return table.concat(parts, ',')
end

local function decodeLines(text)
  local lines = {}
  for item, quantity in string.gmatch(text, '([^,:]+):(%d+)') do
    lines[#lines + 1] = { item, tonumber(quantity) }
  end
  return lines
end
