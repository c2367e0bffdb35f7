-- wrk script for bench/api_speed.py: requests drawn at random from a file, one a line:
-- "PATH<TAB>KEY" or "PATH<TAB>KEY<TAB>ETAG" (the ETag is then sent as If-None-Match, for a 304).
-- Many keys and many paths, as engines syncing at different places do.
--   wrk ... -s bench/api_speed.lua URL -- REQUESTS_FILE
local requests = {}

function init(args)
  for line in io.lines(args[1]) do
    local path, key, etag = line:match("^([^\t]+)\t([^\t]+)\t?(.*)$")
    local headers = { ["Authorization"] = "Bearer " .. key }
    if etag ~= "" then
      headers["If-None-Match"] = etag
    end
    requests[#requests + 1] = wrk.format("GET", path, headers)
  end
  math.randomseed(os.time() + #tostring({}))
end

function request()
  return requests[math.random(#requests)]
end
