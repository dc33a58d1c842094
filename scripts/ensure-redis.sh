#!/usr/bin/env bash
# Make sure a Redis answers on $REDIS_URL (default redis://127.0.0.1:6379) with maxmemory-policy noeviction.
# Starts redis-server when none answers; installs it with apt-get when missing and we are root; otherwise says what to install.
set -uo pipefail
url="${REDIS_URL:-redis://127.0.0.1:6379}"
hostport="${url#redis://}"; hostport="${hostport##*@}"; hostport="${hostport%%/*}"
host="${hostport%%:*}"; port="${hostport##*:}"; [ "$port" = "$host" ] && port=6379

ping() { node -e '
const net=require("net");const s=net.connect(+process.argv[2],process.argv[1]);
s.setTimeout(1500,()=>process.exit(1));s.on("error",()=>process.exit(1));
s.on("connect",()=>s.write("PING\r\n"));s.on("data",d=>process.exit(String(d).startsWith("+PONG")?0:1));' "$host" "$port"; }

if ping; then
  :
else
  if ! command -v redis-server >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "ensure-redis: installing redis-server with apt-get" >&2
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >&2 || true
    fi
  fi
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "ensure-redis: no Redis answers at $host:$port and redis-server is not installed." >&2
    echo "  Install it: Debian/Ubuntu 'sudo apt-get install redis-server', macOS 'brew install redis', or run one: docker run -p 6379:6379 redis:7" >&2
    exit 1
  fi
  echo "ensure-redis: starting redis-server on $host:$port" >&2
  redis-server --daemonize yes --bind "$host" --port "$port" --save "" --appendonly no --maxmemory-policy noeviction >/dev/null
  for _ in $(seq 1 50); do ping && break; sleep 0.1; done
  ping || { echo "ensure-redis: redis-server did not come up on $host:$port" >&2; exit 1; }
fi
# BullMQ and the ledger need noeviction: an evicted job key is a lost record.
if command -v redis-cli >/dev/null 2>&1; then
  policy=$(redis-cli -u "$url" config get maxmemory-policy 2>/dev/null | tail -1)
  if [ -n "$policy" ] && [ "$policy" != "noeviction" ]; then
    echo "ensure-redis: setting maxmemory-policy noeviction (was $policy)" >&2
    redis-cli -u "$url" config set maxmemory-policy noeviction >/dev/null || { echo "ensure-redis: CONFIG SET refused; set maxmemory-policy noeviction in redis.conf" >&2; exit 1; }
  fi
else
  # no redis-cli: the same with a raw RESP exchange from node
  node -e '
const net=require("net");const [host,port]=[process.argv[1],+process.argv[2]];
const cmd=(...a)=>"*"+a.length+"\r\n"+a.map(x=>"$"+Buffer.byteLength(x)+"\r\n"+x+"\r\n").join("");
const s=net.connect(port,host);let buf="",step=0;s.setTimeout(2000,()=>process.exit(1));s.on("error",()=>process.exit(1));
s.on("connect",()=>s.write(cmd("CONFIG","GET","maxmemory-policy")));
s.on("data",d=>{buf+=d;if(step===0&&/\r\n\$\d+\r\n[^\r]*\r\n$/.test(buf)){const v=buf.split("\r\n")[4]||"";
 if(v==="noeviction")process.exit(0);process.stderr.write("ensure-redis: setting maxmemory-policy noeviction (was "+v+")\n");step=1;buf="";s.write(cmd("CONFIG","SET","maxmemory-policy","noeviction"));}
 else if(step===1){process.exit(buf.startsWith("+OK")?0:1);}});' "$host" "$port" || { echo "ensure-redis: could not check/set maxmemory-policy noeviction on $host:$port" >&2; exit 1; }
fi
exit 0
