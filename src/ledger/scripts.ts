/**
 * Lua scripts of the ledger. Each state change of a record is one script, so it is
 * atomic against concurrent workers/API replicas: the version gate, saving a
 * mapping, and recording a push outcome. Every script ends by recomputing the
 * record's overall state and appending one history entry.
 *
 * Hash fields (clear = non-personal metadata): src ag lid tid created updated
 *   v (latest received version) · rh:<v> raw fingerprint · raw:<v> encrypted raw · rvs raw versions held
 *   mv mapped version · mfp raw fingerprint that was mapped · mapver · kinds (pushable) · blocked · issues (JSON)
 *   per kind k: m:k encrypted body · mv:k · mh:k bamNoiDung of the mapped body · lk:k local id
 *               ps:k pending|pushing|pushed|superseded|rejected · pv:k pushed version · pmh:k mapped hash pushed
 *               nid:k national id · ni:k national issues (JSON)
 *   st state · err last error (JSON) · flag
 *
 * Indexes: led:all (every tid, by creation) · led:issues (tids with issues, by change) ·
 * led:open (tids not yet pushed or rejected, by last state change: the requeue sweep's work list) ·
 * led:agencies (set of agencies seen). Every script passes led:open as KEYS[4] and now-ms as ARGV[5].
 */

const STATE_FN = `
local function split(s)
  local t = {}
  if s then for x in string.gmatch(s, '[^,]+') do t[#t + 1] = x end end
  return t
end
local function computeState(k)
  local f = redis.call('HMGET', k, 'v', 'mv', 'kinds', 'blocked', 'mfp')
  local v = tonumber(f[1]) or 0
  local mv = tonumber(f[2]) or 0
  if mv < v then return 'received' end
  if f[5] ~= redis.call('HGET', k, 'rh:' .. v) then return 'received' end
  if f[4] and f[4] ~= '' then return 'rejected' end
  local kinds = split(f[3])
  if #kinds == 0 then return 'rejected' end
  local fields = {}
  for i, kind in ipairs(kinds) do fields[i] = 'ps:' .. kind end
  local states = redis.call('HMGET', k, unpack(fields))
  local allDone, pushing, rejected = true, false, false
  for i = 1, #kinds do
    local ps = states[i]
    if ps == 'rejected' then rejected = true
    elseif ps == 'pushing' then pushing = true; allDone = false
    elseif ps ~= 'pushed' and ps ~= 'superseded' then allDone = false end
  end
  if rejected then return 'rejected' end
  if allDone then return 'pushed' end
  if pushing then return 'pushing' end
  return 'mapped'
end
local function history(hk, at, state, version, detail)
  local e = { at = at, state = state, version = version }
  if detail and detail ~= '' then e.detail = detail end
  if redis.call('RPUSH', hk, cjson.encode(e)) > 100 then redis.call('LTRIM', hk, -100, -1) end
end
local function settle(k)
  local st = computeState(k)
  redis.call('HSET', k, 'st', st)
  -- open index: a record leaves it only as pushed or rejected, so one that is neither and has
  -- not moved for a while is found by the requeue sweep without scanning the whole ledger
  local tid = redis.call('HGET', k, 'tid')
  if tid then
    if st == 'pushed' or st == 'rejected' then redis.call('ZREM', KEYS[4], tid)
    else redis.call('ZADD', KEYS[4], ARGV[5], tid) end
  end
  return st
end
`;

/**
 * accept — KEYS: rec, hist, allIndex, openIndex, agencies. ARGV: v, fp, encRaw, nowIso, nowMs, tid, src, ag, lid, channel
 * → { outcome, latest, state, needsMap(0|1) }
 * outcome: accepted | unchanged | older | conflict (same version, other content: stored and flagged)
 */
export const ACCEPT = `${STATE_FN}
local k, hk = KEYS[1], KEYS[2]
local v = tonumber(ARGV[1])
local fp, enc, now, nowMs = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local cur = tonumber(redis.call('HGET', k, 'v') or '0') or 0
if cur > 0 and v < cur then
  history(hk, now, 'older-ignored', v, ARGV[10])
  return { 'older', cur, redis.call('HGET', k, 'st') or '', 0 }
end
local outcome = 'accepted'
if cur == v then
  if redis.call('HGET', k, 'rh:' .. v) == fp then
    local st = redis.call('HGET', k, 'st') or ''
    local needs = 0
    if redis.call('HGET', k, 'mfp') ~= fp then needs = 1 end
    return { 'unchanged', cur, st, needs }
  end
  outcome = 'conflict'
  redis.call('HSET', k, 'flag', 'same-version-other-content')
end
if cur == 0 then
  redis.call('HSET', k, 'src', ARGV[7], 'ag', ARGV[8], 'lid', ARGV[9], 'tid', ARGV[6], 'created', now)
  redis.call('ZADD', KEYS[3], 'NX', nowMs, ARGV[6])
  if ARGV[8] ~= '_' then redis.call('SADD', KEYS[5], ARGV[8]) end
end
local rvs = split(redis.call('HGET', k, 'rvs'))
local have = false
for _, x in ipairs(rvs) do if tonumber(x) == v then have = true end end
if not have then rvs[#rvs + 1] = tostring(v) end
redis.call('HSET', k, 'v', v, 'rh:' .. v, fp, 'raw:' .. v, enc, 'rvs', table.concat(rvs, ','), 'updated', now)
local detail = ARGV[10]
if outcome == 'conflict' then detail = detail .. ';same-version-other-content' end
history(hk, now, 'received', v, detail)
local st = settle(k)
return { outcome, v, st, 1 }
`;

/**
 * saveMapped — KEYS: rec, hist, issuesIndex, openIndex. ARGV: v, fp, mapver, nowIso, nowMs, issuesJson, blockedCsv, n,
 *   then n × (kind, encBody, mh, localId)
 * → { 'saved'|'stale', toPushCsv, state }
 */
export const SAVE_MAPPED = `${STATE_FN}
local k, hk = KEYS[1], KEYS[2]
local v = tonumber(ARGV[1])
local fp, now = ARGV[2], ARGV[4]
local cur = tonumber(redis.call('HGET', k, 'v') or '0') or 0
if v < cur or redis.call('HGET', k, 'rh:' .. v) ~= fp then
  return { 'stale', '', redis.call('HGET', k, 'st') or '' }
end
local n = tonumber(ARGV[8])
local kinds, toPush = {}, {}
for i = 0, n - 1 do
  local kind, enc, mh, lid = ARGV[9 + i * 4], ARGV[10 + i * 4], ARGV[11 + i * 4], ARGV[12 + i * 4]
  kinds[#kinds + 1] = kind
  local ps = 'pushed'
  if redis.call('HGET', k, 'pmh:' .. kind) ~= mh then
    ps = 'pending'
    toPush[#toPush + 1] = kind
  end
  redis.call('HSET', k, 'm:' .. kind, enc, 'mv:' .. kind, v, 'mh:' .. kind, mh, 'lk:' .. kind, lid, 'ps:' .. kind, ps)
  redis.call('HDEL', k, 'ni:' .. kind)
end
for _, kind in ipairs(split(ARGV[7])) do
  redis.call('HSET', k, 'ps:' .. kind, 'rejected', 'mv:' .. kind, v)
  redis.call('HDEL', k, 'm:' .. kind, 'ni:' .. kind)
end
redis.call('HSET', k, 'mv', v, 'mfp', fp, 'mapver', ARGV[3], 'kinds', table.concat(kinds, ','), 'blocked', ARGV[7], 'issues', ARGV[6], 'updated', now)
redis.call('HDEL', k, 'err')
if ARGV[6] ~= '[]' then redis.call('ZADD', KEYS[3], ARGV[5], redis.call('HGET', k, 'tid')) end
local st = settle(k)
local detail = ''
if ARGV[7] ~= '' then detail = 'blocked:' .. ARGV[7] end
history(hk, now, st == 'rejected' and 'rejected' or 'mapped', v, detail)
return { 'saved', table.concat(toPush, ','), st }
`;

/**
 * pushResult — KEYS: rec, hist, issuesIndex, openIndex. ARGV: kind, v, outcome, nowIso, nowMs, nid, pmh, issuesJson, errJson, detail
 * outcome: pushed | superseded | rejected | retrying. → { state }
 */
export const PUSH_RESULT = `${STATE_FN}
local k, hk = KEYS[1], KEYS[2]
local kind, v, outcome, now = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local cur = redis.call('HMGET', k, 'mv:' .. kind, 'pv:' .. kind, 'ps:' .. kind)
local mvk = tonumber(cur[1]) or 0
local set = { 'updated', now }
local function put(f, x) set[#set + 1] = f; set[#set + 1] = x end
if ARGV[6] ~= '' then put('nid:' .. kind, ARGV[6]) end
if outcome == 'pushed' or outcome == 'superseded' then
  local pv = tonumber(cur[2]) or 0
  if v >= pv then put('pv:' .. kind, v); put('pmh:' .. kind, ARGV[7]) end
  if mvk == v then put('ps:' .. kind, outcome) end
elseif outcome == 'rejected' then
  if mvk == v then put('ps:' .. kind, 'rejected') end
  put('ni:' .. kind, ARGV[8]); put('err', ARGV[9])
  redis.call('ZADD', KEYS[3], ARGV[5], redis.call('HGET', k, 'tid'))
else
  if mvk == v and cur[3] == 'pending' then put('ps:' .. kind, 'pushing') end
  put('err', ARGV[9])
end
redis.call('HSET', k, unpack(set))
local st = settle(k)
if outcome ~= 'retrying' then
  local d = kind
  if ARGV[10] ~= '' then d = d .. ':' .. ARGV[10] end
  history(hk, now, outcome, v, d)
end
if st == 'pushed' then
  local mv = tonumber(redis.call('HGET', k, 'mv') or '0') or 0
  local keep, removed = {}, false
  for _, x in ipairs(split(redis.call('HGET', k, 'rvs'))) do
    if tonumber(x) < mv then redis.call('HDEL', k, 'raw:' .. x); removed = true else keep[#keep + 1] = x end
  end
  if removed then redis.call('HSET', k, 'rvs', table.concat(keep, ',')) end
end
return { st }
`;

/**
 * mapFailed — a map job used up its attempts (catalogues unreachable, Redis, ledger key, …):
 * version `v` becomes a stored rejection with the reason, like a mapping error would.
 * KEYS: rec, hist, issuesIndex, openIndex. ARGV: v, fp12, nowIso, detail, nowMs, issuesJson, errJson
 * → { 'rejected' | 'stale' | 'mapped', state, source } — stale: a newer version or other content arrived
 * (it has its own job); mapped: this version was mapped meanwhile (nothing to reject).
 */
export const MAP_FAILED = `${STATE_FN}
local k, hk = KEYS[1], KEYS[2]
local v, now = tonumber(ARGV[1]), ARGV[3]
local f = redis.call('HMGET', k, 'v', 'mv', 'mfp', 'st', 'src')
local cur = tonumber(f[1]) or 0
if cur == 0 then return { 'stale', '' } end
local fp = redis.call('HGET', k, 'rh:' .. v)
if v ~= cur or not fp or string.sub(fp, 1, string.len(ARGV[2])) ~= ARGV[2] then return { 'stale', f[4] or '' } end
if tonumber(f[2]) == v and f[3] == fp then return { 'mapped', f[4] or '' } end
redis.call('HSET', k, 'mv', v, 'mfp', fp, 'mapver', 'map-failed', 'kinds', '', 'blocked', '', 'issues', ARGV[6], 'err', ARGV[7], 'updated', now)
redis.call('ZADD', KEYS[3], ARGV[5], redis.call('HGET', k, 'tid'))
local st = settle(k)
history(hk, now, 'rejected', v, ARGV[4])
return { 'rejected', st, f[5] or '' }
`;
