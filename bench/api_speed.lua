-- wrk script for bench/api_speed.py: GET /v1/variants/{id} for ids drawn at random from a file.
-- A line is "id" or "id etag" (the ETag is then sent as If-None-Match, to be answered 304).
--   wrk ... -s bench/api_speed.lua URL -- IDS_FILE API_KEY
local paths, etags, auth = {}, {}, nil

function init(args)
  for line in io.lines(args[1]) do
    local id, etag = line:match("^(%d+)%s*(.*)$")
    paths[#paths + 1] = "/v1/variants/" .. id
    etags[#etags + 1] = etag
  end
  auth = "Bearer " .. args[2]
  math.randomseed(os.time() + #tostring({}))
end

function request()
  local i = math.random(#paths)
  local headers = { ["Authorization"] = auth }
  if etags[i] ~= "" then
    headers["If-None-Match"] = etags[i]
  end
  return wrk.format("GET", paths[i], headers)
end
