-- wrk script: DynamoDB PutItem requests with distinct keys, as the JSON 1.0 protocol sends them.
local counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"TableName":"taskmgmt-dev-tasks","Item":{"taskId":{"S":"w%d-%d"},"title":{"S":"Task"},"status":{"S":"todo"},"deadline":{"S":"2026-12-01T00:00:00Z"},"assigneeId":{"S":"u%d"}}}', math.random(1, 1000000000), counter, counter % 50)
  return wrk.format("POST", "/", {["Content-Type"] = "application/x-amz-json-1.0", ["X-Amz-Target"] = "DynamoDB_20120810.PutItem"}, body)
end
