-- A wrk script for ombud's pages under load: each request asks for one of the paths listed,
-- one per line, in the file $OMBUD_PATHS (incident pages, filtered lists...), in turn.
--   OMBUD_PATHS=paths.txt wrk -t2 -c8 -d20s --latency -s web/tests/wrk-pages.lua http://127.0.0.1:8080
local paths = {}
local n = 0

init = function(args)
  local file = os.getenv("OMBUD_PATHS")
  for line in io.lines(file) do
    if #line > 0 then
      table.insert(paths, line)
    end
  end
  -- Threads start at different places in the list.
  n = math.random(#paths)
end

request = function()
  n = n % #paths + 1
  return wrk.format("GET", paths[n])
end
