-- wrk script for the server-side public check, the queries of
-- `vigil bench check` (internal/loadgen.Check): half `@recruit_N` handles,
-- half `+855 12 ddd ddd` numbers.
--   wrk -t2 -c32 -d10s --latency -s scripts/wrk/check.lua http://127.0.0.1:8098
function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1e6) + math.random(1, 1e6))
end
function request()
  local q
  if math.random(0, 1) == 0 then
    q = string.format("%%40recruit_%d", math.random(0, 999))
  else
    q = string.format("%%2B855%%2012%%20%03d%%20%03d", math.random(0, 999), math.random(0, 999))
  end
  return wrk.format("GET", "/api/v1/check?q=" .. q)
end
