/**
 * Lua scripts of the ledger. Each state change of a record is one Lua function run inside a
 * script, so it is atomic against concurrent workers/API replicas: the version gate, saving a
 * mapping, and recording a push outcome. Every change ends by recomputing the record's overall
 * state and appending one history entry.
 *
 * The version gate, saving a mapping and recording a push outcome are sent for many records at once (`*_MANY`: the records of one accept call, or the
 * calls that concurrent jobs make in one event-loop turn, src/ledger/index.ts): one EVALSHA instead
 * of one per record costs the client ~4x less (ioredis' per-command work) and Redis its per-call
 * overhead. Each record's change is still its own function call under pcall, so one record's error
 * is that record's answer only, and every record gets exactly the change a script of its own made.
 *
 * Hash fields (clear = non-personal metadata): src ag lid tid created updated
 *   v (latest received version) · rh:<v> raw fingerprint · raw:<v> encrypted raw · rvs raw versions held
 *   mv mapped version · mfp raw fingerprint that was mapped · mapver · kinds (pushable) · blocked · issues (JSON)
 *   per kind k: m:k encrypted body · mv:k · mh:k bamNoiDung of the mapped body · lk:k local id
 *               ps:k pending|pushing|pushed|superseded|rejected · pv:k pushed version · pmh:k mapped hash pushed
 *               nid:k national id · ni:k national issues (JSON)
 *   st state · err last error (JSON) · flag
 *   mj / pj:k the batch map / push job that last carried the record (Ledger.setJobRefs; the requeue sweep reads them)
 *
 * Indexes: led:all (every tid, by creation) · led:issues (tids with issues, by change) ·
 * led:open (tids not yet pushed or rejected, by last state change: the requeue sweep's work list) ·
 * led:agencies (set of agencies seen). Every change gets led:open and its now-ms (settle()).
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
local function settle(k, openKey, nowMs)
  local st = computeState(k)
  redis.call('HSET', k, 'st', st)
  -- open index: a record leaves it only as pushed or rejected, so one that is neither and has
  -- not moved for a while is found by the requeue sweep without scanning the whole ledger
  local tid = redis.call('HGET', k, 'tid')
  if tid then
    if st == 'pushed' or st == 'rejected' then redis.call('ZREM', openKey, tid)
    else redis.call('ZADD', openKey, nowMs, tid) end
  end
  return st
end
-- run fn for each record under pcall: a record's error is its own answer { '!err', message }
local function each(n, fn)
  local out = {}
  for i = 1, n do
    local ok, r = pcall(fn, i)
    if ok then out[i] = r
    else out[i] = { '!err', type(r) == 'table' and tostring(r.err) or tostring(r) } end
  end
  return out
end
`;

/**
 * accept — one record: rec, hist keys; the indexes allIndex, openIndex, agencies; a = ARGV-like list, from o:
 *   v, fp, encRaw, nowIso, nowMs, tid, src, ag, lid, channel
 * → { outcome, latest, state, needsMap(0|1) }
 * outcome: accepted | unchanged | older | conflict (same version, other content: stored and flagged)
 */
const ACCEPT_FN = `
local function accept1(k, hk, allKey, openKey, agKey, a, o)
  local v = tonumber(a[o])
  local fp, enc, now, nowMs, detail = a[o + 1], a[o + 2], a[o + 3], a[o + 4], a[o + 9]
  local cur = tonumber(redis.call('HGET', k, 'v') or '0') or 0
  if cur > 0 and v < cur then
    history(hk, now, 'older-ignored', v, detail)
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
    redis.call('HSET', k, 'src', a[o + 6], 'ag', a[o + 7], 'lid', a[o + 8], 'tid', a[o + 5], 'created', now)
    redis.call('ZADD', allKey, 'NX', nowMs, a[o + 5])
    if a[o + 7] ~= '_' then redis.call('SADD', agKey, a[o + 7]) end
  end
  local rvs = split(redis.call('HGET', k, 'rvs'))
  local have = false
  for _, x in ipairs(rvs) do if tonumber(x) == v then have = true end end
  if not have then rvs[#rvs + 1] = tostring(v) end
  redis.call('HSET', k, 'v', v, 'rh:' .. v, fp, 'raw:' .. v, enc, 'rvs', table.concat(rvs, ','), 'updated', now)
  if outcome == 'conflict' then detail = detail .. ';same-version-other-content' end
  history(hk, now, 'received', v, detail)
  local st = settle(k, openKey, nowMs)
  return { outcome, v, st, 1 }
end
`;

/**
 * Version gate of n records. KEYS: allIndex, openIndex, agencies, then per record rec, hist.
 * ARGV: per record the 10 values of accept1. → per record accept1's answer or { '!err', message }.
 */
export const ACCEPT_MANY = `${STATE_FN}${ACCEPT_FN}
return each((#KEYS - 3) / 2, function(i)
  return accept1(KEYS[2 + 2 * i], KEYS[3 + 2 * i], KEYS[1], KEYS[2], KEYS[3], ARGV, (i - 1) * 10 + 1)
end)
`;

/**
 * saveMapped — one record: rec, hist, issuesIndex, openIndex keys; a from o: v, fp, mapver, nowIso, nowMs,
 *   issuesJson, blockedCsv, n, then n × (kind, encBody, mh, localId)   (8 + 4n values)
 * → { 'saved'|'stale', toPushCsv, state }
 */
const SAVE_MAPPED_FN = `
local function saveMapped1(k, hk, issuesKey, openKey, a, o)
  local v = tonumber(a[o])
  local fp, now, nowMs, issues, blockedCsv = a[o + 1], a[o + 3], a[o + 4], a[o + 5], a[o + 6]
  local cur = tonumber(redis.call('HGET', k, 'v') or '0') or 0
  if v < cur or redis.call('HGET', k, 'rh:' .. v) ~= fp then
    return { 'stale', '', redis.call('HGET', k, 'st') or '' }
  end
  local n = tonumber(a[o + 7])
  local kinds, toPush = {}, {}
  for i = 0, n - 1 do
    local b = o + 8 + i * 4
    local kind, enc, mh, lid = a[b], a[b + 1], a[b + 2], a[b + 3]
    kinds[#kinds + 1] = kind
    local ps = 'pushed'
    if redis.call('HGET', k, 'pmh:' .. kind) ~= mh then
      ps = 'pending'
      toPush[#toPush + 1] = kind
    end
    redis.call('HSET', k, 'm:' .. kind, enc, 'mv:' .. kind, v, 'mh:' .. kind, mh, 'lk:' .. kind, lid, 'ps:' .. kind, ps)
    redis.call('HDEL', k, 'ni:' .. kind)
  end
  for _, kind in ipairs(split(blockedCsv)) do
    redis.call('HSET', k, 'ps:' .. kind, 'rejected', 'mv:' .. kind, v)
    redis.call('HDEL', k, 'm:' .. kind, 'ni:' .. kind)
  end
  redis.call('HSET', k, 'mv', v, 'mfp', fp, 'mapver', a[o + 2], 'kinds', table.concat(kinds, ','), 'blocked', blockedCsv, 'issues', issues, 'updated', now)
  redis.call('HDEL', k, 'err')
  if issues ~= '[]' then redis.call('ZADD', issuesKey, nowMs, redis.call('HGET', k, 'tid')) end
  local st = settle(k, openKey, nowMs)
  local detail = ''
  if blockedCsv ~= '' then detail = 'blocked:' .. blockedCsv end
  history(hk, now, st == 'rejected' and 'rejected' or 'mapped', v, detail)
  return { 'saved', table.concat(toPush, ','), st }
end
`;

/**
 * Mappings of n records. KEYS: issuesIndex, openIndex, then per record rec, hist. ARGV: the records'
 * saveMapped1 values one after the other (each 8 + 4n long). → per record its answer or { '!err', message }.
 */
export const SAVE_MAPPED_MANY = `${STATE_FN}${SAVE_MAPPED_FN}
local o = 1
return each((#KEYS - 2) / 2, function(i)
  local at = o
  o = o + 8 + 4 * tonumber(ARGV[o + 7])
  return saveMapped1(KEYS[1 + 2 * i], KEYS[2 + 2 * i], KEYS[1], KEYS[2], ARGV, at)
end)
`;

/**
 * pushResult — one record: rec, hist, issuesIndex, openIndex keys; a from o: kind, v, outcome, nowIso, nowMs,
 *   nid, pmh, issuesJson, errJson, detail. outcome: pushed | superseded | rejected | retrying. → { state }
 */
const PUSH_RESULT_FN = `
local function pushResult1(k, hk, issuesKey, openKey, a, o)
  local kind, v, outcome, now, nowMs = a[o], tonumber(a[o + 1]), a[o + 2], a[o + 3], a[o + 4]
  local cur = redis.call('HMGET', k, 'mv:' .. kind, 'pv:' .. kind, 'ps:' .. kind)
  local mvk = tonumber(cur[1]) or 0
  local set = { 'updated', now }
  local function put(f, x) set[#set + 1] = f; set[#set + 1] = x end
  if a[o + 5] ~= '' then put('nid:' .. kind, a[o + 5]) end
  if outcome == 'pushed' or outcome == 'superseded' then
    local pv = tonumber(cur[2]) or 0
    if v >= pv then put('pv:' .. kind, v); put('pmh:' .. kind, a[o + 6]) end
    if mvk == v then put('ps:' .. kind, outcome) end
  elseif outcome == 'rejected' then
    if mvk == v then put('ps:' .. kind, 'rejected') end
    put('ni:' .. kind, a[o + 7]); put('err', a[o + 8])
    redis.call('ZADD', issuesKey, nowMs, redis.call('HGET', k, 'tid'))
  else
    if mvk == v and cur[3] == 'pending' then put('ps:' .. kind, 'pushing') end
    put('err', a[o + 8])
  end
  redis.call('HSET', k, unpack(set))
  local st = settle(k, openKey, nowMs)
  if outcome ~= 'retrying' then
    local d = kind
    if a[o + 9] ~= '' then d = d .. ':' .. a[o + 9] end
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
end
`;

/**
 * Push outcomes of n records. KEYS: issuesIndex, openIndex, then per record rec, hist. ARGV: per record
 * the 10 values of pushResult1. → per record { state } or { '!err', message }.
 */
export const PUSH_RESULT_MANY = `${STATE_FN}${PUSH_RESULT_FN}
return each((#KEYS - 2) / 2, function(i)
  return pushResult1(KEYS[1 + 2 * i], KEYS[2 + 2 * i], KEYS[1], KEYS[2], ARGV, (i - 1) * 10 + 1)
end)
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
local st = settle(k, KEYS[4], ARGV[5])
history(hk, now, 'rejected', v, ARGV[4])
return { 'rejected', st, f[5] or '' }
`;

/**
 * setJobRefs — KEYS: record hashes. ARGV: per key a field and a value. Sets them on records that
 * exist only (a ref never creates a record). → number of records set.
 */
export const SET_FIELDS = `
local n = 0
for i, k in ipairs(KEYS) do
  if redis.call('EXISTS', k) == 1 then
    redis.call('HSET', k, ARGV[2 * i - 1], ARGV[2 * i])
    n = n + 1
  end
end
return n
`;

/**
 * Reads of many records in one call (the loads of a batch job's records, coalesced).
 * KEYS: record hashes. ARGV[1] = n, then per key n field names. → per key the n values (false = none).
 */
export const HMGET_MANY = `
local n = tonumber(ARGV[1])
local out = {}
for i, k in ipairs(KEYS) do
  local f = {}
  for j = 1, n do f[j] = ARGV[1 + (i - 1) * n + j] end
  out[i] = redis.call('HMGET', k, unpack(f))
end
return out
`;
