#!/usr/bin/env bash
# usage: fill_large.sh PORT
P=$1; rcli() { redis-cli -p "$P" "$@"; }
read -r -d '' MESSAGE <<'LUA' || true
local function message(tag, queue, bytes)
  return '{"body": "' .. string.rep('A', bytes) .. '", "content-encoding": "utf-8", "content-type": "application/json", '
    .. '"headers": {"lang": "py", "task": "app.big", "id": "' .. tag .. '", "eta": null, "expires": null, "retries": 0, '
    .. '"argsrepr": "[...]", "kwargsrepr": "{}", "origin": "gen1@bench"}, '
    .. '"properties": {"correlation_id": "' .. tag .. '", "delivery_mode": 2, "delivery_info": {"exchange": "", '
    .. '"routing_key": "' .. queue .. '"}, "priority": 0, "body_encoding": "base64", "delivery_tag": "' .. tag .. '"}}'
end
LUA
now=$(date +%s)
sep=$'\x06\x16'
# 1 unacked of 300 MB on qa
rcli EVAL "$MESSAGE
local v = '[' .. message(ARGV[1], ARGV[2], tonumber(ARGV[3])) .. ', \"\", \"' .. ARGV[2] .. '\"]'
redis.call('HSET', KEYS[1], ARGV[1], v)
return redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])" 2 unacked unacked_index tag-huge qa $((300*1024*1024)) $((now-30))
# 10k unacked of 100 KB on qb
rcli EVAL "$MESSAGE
for i=1,10000 do
local tag = 'tagb-' .. i
local v = '[' .. message(tag, 'qb', 100000) .. ', \"\", \"qb\"]'
redis.call('HSET', KEYS[1], tag, v)
redis.call('ZADD', KEYS[2], tonumber(ARGV[1]) - i % 50, tag)
end return 1" 2 unacked unacked_index $((now-20))
# queue tail 200 MB on qc, smaller newer ones
rcli EVAL "$MESSAGE
redis.call('LPUSH', 'qc', message('tailc', 'qc', 200*1024*1024))
for i=1,10 do redis.call('LPUSH', 'qc', message('tailc' .. i, 'qc', 100)) end return 1" 0
for q in qa qb qc; do rcli SADD "_kombu.binding.$q" "$q$sep$sep$q" >/dev/null; done
# 1M small metas
for b in $(seq 0 9); do
rcli EVAL "for i=1,100000 do
local id = ARGV[1] .. '-' .. i
redis.call('SETEX', 'celery-task-meta-' .. id, 86400, '{\"status\": \"SUCCESS\", \"result\": 42, \"traceback\": null, \"children\": [], \"date_done\": \"2026-12-05T07:00:00.000000+00:00\", \"task_id\": \"' .. id .. '\"}')
end return 1" 0 "b$b" >/dev/null
done
# 3 metas of 100 MB (one SUCCESS, one STARTED, one FAILURE)
for st in SUCCESS STARTED FAILURE; do
rcli EVAL "return redis.call('SETEX', KEYS[1], 86400, '{\"status\": \"' .. ARGV[1] .. '\", \"result\": \"' .. string.rep('r', 100*1024*1024) .. '\", \"traceback\": null, \"children\": [], \"date_done\": null, \"task_id\": \"x\"}')" 1 "celery-task-meta-big-$st" "$st"
done
rcli DBSIZE; rcli INFO memory | grep used_memory_human
