-- wrk script for the published range of the public check: a random bucket
-- each request, asking for gzip as browsers and CDNs do (the same buckets as
-- `vigil bench range`). The prefix length is the script's argument: read it
-- from GET /api/v1/check/range first.
--   wrk -t2 -c8 -d10s --latency -s scripts/wrk/range.lua http://127.0.0.1:8080 -- 1
-- A second argument "identity" asks for the uncompressed body.
local n, buckets, headers = 1, 16, {["Accept-Encoding"] = "gzip, deflate, br, zstd"}
function init(args)
  n = tonumber(args[1] or "1")
  buckets = 16 ^ n
  if args[2] == "identity" then
    headers = {}
  end
  math.randomseed(os.time() + math.floor(os.clock() * 1e6) + math.random(1, 1e6))
end
function request()
  return wrk.format("GET", string.format("/api/v1/check/range/%0" .. n .. "x", math.random(0, buckets - 1)), headers)
end
