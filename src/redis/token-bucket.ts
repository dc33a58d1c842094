/**
 * The token-bucket refill shared by the Redis-side limiters (ingest per-key rate, national rate):
 * one Lua fragment, so both buckets age the same way. It expects `now` (ms, from Redis TIME),
 * `burst` and the rate variable named by `rateVar` (tokens per second) to be defined, reads the
 * bucket hash KEYS[1] {tk, ts}, and leaves `tokens` and `ts` refilled up to `now`. A clock that
 * went back more than a minute restarts the bucket's clock rather than freezing it.
 */
export function refillLua(rateVar: string): string {
  return `
local b = redis.call('HMGET', KEYS[1], 'tk', 'ts')
local tokens = tonumber(b[1])
local ts = tonumber(b[2])
if tokens == nil or ts == nil then
  tokens = burst
  ts = now
end
if now > ts or ts - now > 60000 then
  tokens = math.min(burst, tokens + math.max(0, now - ts) * ${rateVar} / 1000)
  ts = now
end
`;
}
