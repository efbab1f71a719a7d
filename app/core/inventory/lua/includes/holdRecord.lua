--- @include "lineText"
-- One hold as its record in the holds hash: "<expiresAt>\t<customer>\t<address field>\t<lines>".
-- Customers and address buckets are printable (assertRef), so a tab never occurs inside a field.
-- Records written before this format are cjson objects {c, e, l, a}; they are still read
-- (a record lives at most the longest hold, 24 h), so an upgrade during a sale loses nothing.
-- Decoded, a hold is { c = customer, e = expiresAt ms, l = {{item, qty}, ...}, a = '@<address>' or nil }.

-- The record from text parts (reserve.lua has every part as text: no number is printed).
local function holdRecordText(expiresAt, customer, addressField, linesText)
  return expiresAt .. '\t' .. customer .. '\t' .. (addressField or '') .. '\t' .. linesText
end

local function encodeHold(hold)
  return holdRecordText(hold.e, hold.c, hold.a, encodeLines(hold.l))
end

local function decodeHold(raw)
  if string.byte(raw, 1) == 123 then return cjson.decode(raw) end -- '{': the earlier JSON record
  local expiresAt, customer, address, lines = string.match(raw, '^(%d+)\t([^\t]*)\t([^\t]*)\t(.*)$')
  return { e = tonumber(expiresAt), c = customer, a = address ~= '' and address or nil, l = decodeLines(lines) }
end
