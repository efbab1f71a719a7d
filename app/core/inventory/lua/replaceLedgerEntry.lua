--[[
  Privacy (customers/redact, see HoldEngine.forgetCustomer): takes one entry out of the sale's
  ledger stream and, in the same step, appends what is kept of it (its events, the forgotten
  customer's without the customer) at the end, so no event is lost or written twice and no
  script's entry can come between. An entry the persister has trimmed meanwhile is in SQL,
  where the caller forgets the customer: nothing is appended for it then.
    Input:
      KEYS[1..8] the sale's keys (see includes/saleKeys.lua)
      ARGV[1] the entry's id
      ARGV[2..] the replacement's field/value pairs (core/ledger replacementFields)
    Output: 1 the entry was taken out (and replaced), 0 it was no longer there
]]
--- @include "includes/saleKeys"

if redis.call('XDEL', ledgerKey, ARGV[1]) == 0 then return 0 end
redis.call('XADD', ledgerKey, '*', unpack(ARGV, 2))
return 1
