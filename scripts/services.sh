#!/usr/bin/env bash
# Installs (apt, as root, when missing) and starts the real servers the integration tests use:
# RabbitMQ (Debian rabbitmq-server) and PostgreSQL 15, PgBouncer in front of it (transaction pooling, port
# 6432), plus the tools some tests drive: spin and Chromium (Debian's chromium, for the dashboard's browser
# tests). Idempotent: a running server is left alone.
# RABBITMQ_URL / PG_URL pointing elsewhere skip the local server (PG_URL: PgBouncer too; PGBOUNCER_URL skips
# only PgBouncer).
# `pg-pair` is a second, separate PostgreSQL: a primary + streaming standby on 5441/5442 (scripts/pg-pair.sh)
# for the failover suite; `all` starts it under CI=true (or ONCEBUS_PG_PAIR=1) only, as root. The shared
# server on 5432 is untouched by it.
# `rabbitmq-cluster` (started by `all` too) is a second, separate RabbitMQ: three clustered nodes on this
# machine (AMQP 5701-5703) for the quorum-queue and failover suites; the single node on 5672 is untouched.
# Usage: services.sh start|stop [all|rabbitmq|rabbitmq-cluster|postgres|pgbouncer|pg-pair]
set -euo pipefail
action=${1:-start}
only=${2:-all}

apt_updated=0
apt_install() {
  if [ "$(id -u)" != 0 ]; then echo "services: need root to apt-get install $*" >&2; return 1; fi
  if [ $apt_updated = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

rabbit_start() {
  if [ -n "${RABBITMQ_URL:-}" ]; then echo "services: RABBITMQ_URL set, not starting a local broker"; return; fi
  command -v rabbitmq-server >/dev/null || { echo "services: installing rabbitmq-server"; apt_install rabbitmq-server; }
  if rabbitmqctl -q status >/dev/null 2>&1; then echo "services: rabbitmq already running"; return; fi
  echo "services: starting rabbitmq"
  rabbitmq-server -detached >/dev/null 2>&1 || true
  # await_startup exits 69 in the first seconds, before the node has registered: loop, bounded.
  for _ in $(seq 1 120); do
    if rabbitmqctl -q await_startup --timeout 60 >/dev/null 2>&1; then echo "services: rabbitmq ready"; return; fi
    sleep 0.5
  done
  echo "services: rabbitmq did not start (see /var/log/rabbitmq)" >&2; return 1
}

rabbit_stop() { rabbitmqctl shutdown >/dev/null 2>&1 || true; }

# A local three-node cluster. Each node has its own name, ports and directories; they share the Erlang
# cookie of the rabbitmq user (/var/lib/rabbitmq/.erlang.cookie, as the single node), so rabbitmqctl -n
# reaches them all. Fresh nodes join the first; a node that is down (a test SIGKILLed it) is started again
# and rejoins by itself from its own data. Idempotent: running nodes are left alone.
CLUSTER_NODES="1 2 3"
CLUSTER_BASE=/var/lib/rabbitmq/cluster
cluster_host() { hostname -s; }
cluster_node() { echo "oncebus-c$1@$(cluster_host)"; }
cluster_ctl() { local n=$1; shift; rabbitmqctl -q -n "$(cluster_node "$n")" "$@"; }
# The node's AMQP port answers: booted (the listener opens last). Cheaper than a CLI call (an Erlang VM each).
cluster_up() { (exec 3<>"/dev/tcp/127.0.0.1/$((5700 + $1))") 2>/dev/null; }

cluster_boot() {
  local n=$1 dir=$CLUSTER_BASE/c$1
  install -d -o rabbitmq -g rabbitmq "$dir" "$dir/mnesia" "$dir/log"
  # As the rabbitmq user (its cookie, its files); su keeps the RABBITMQ_* variables.
  RABBITMQ_NODENAME=$(cluster_node "$n") RABBITMQ_NODE_PORT=$((5700 + n)) RABBITMQ_DIST_PORT=$((25700 + n)) \
    RABBITMQ_MNESIA_BASE=$dir/mnesia RABBITMQ_LOG_BASE=$dir/log RABBITMQ_PID_FILE=$dir/pid \
    su rabbitmq -s /bin/sh -c 'cd /var/lib/rabbitmq && HOME=/var/lib/rabbitmq /usr/lib/rabbitmq/bin/rabbitmq-server -detached' >/dev/null 2>&1 || true
}

cluster_await() {
  for _ in $(seq 1 300); do cluster_up "$1" && return 0; sleep 0.2; done
  echo "services: cluster node $(cluster_node "$1") did not start (see $CLUSTER_BASE/c$1/log)" >&2; return 1
}

cluster_start() {
  command -v rabbitmq-server >/dev/null || { echo "services: installing rabbitmq-server"; apt_install rabbitmq-server; }
  local started=$(date +%s%N) booted="" fresh="" n
  for n in $CLUSTER_NODES; do
    cluster_up "$n" && continue
    # No data yet: a new node, its own one-node cluster until it joins node 1.
    [ -d "$CLUSTER_BASE/c$n/mnesia/$(cluster_node "$n")" ] || fresh="$fresh $n"
    cluster_boot "$n"; booted="$booted $n"
  done
  if [ -z "$booted" ]; then echo "services: rabbitmq-cluster already running (AMQP 5701-5703)"; return; fi
  for n in $booted; do cluster_await "$n"; done
  # The joins are independent: in parallel (each CLI call starts an Erlang VM, ~1 s).
  local pids=""
  for n in $fresh; do
    [ "$n" = 1 ] && continue
    ( cluster_ctl "$n" stop_app && cluster_ctl "$n" join_cluster "$(cluster_node 1)" && cluster_ctl "$n" start_app ) >/dev/null & pids="$pids $!"
  done
  for p in $pids; do wait "$p" || { echo "services: a cluster node could not join $(cluster_node 1)" >&2; return 1; }; done
  for n in $fresh; do cluster_await "$n"; done
  echo "services: rabbitmq-cluster ready (amqp://127.0.0.1:5701,127.0.0.1:5702,127.0.0.1:5703; started$booted in $(( ($(date +%s%N) - started) / 1000000 )) ms)"
}

cluster_stop() {
  for n in $CLUSTER_NODES; do cluster_ctl "$n" shutdown >/dev/null 2>&1 & done
  wait
}

pg_start() {
  if [ -n "${PG_URL:-}" ]; then echo "services: PG_URL set, not starting a local server"; return; fi
  if ! command -v pg_ctlcluster >/dev/null || ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "services: installing postgresql"; apt_install postgresql
  fi
  local ver; ver=$(ls /etc/postgresql | sort -n | tail -1)
  if ! pg_isready -q -h 127.0.0.1; then
    echo "services: starting postgresql $ver"
    pg_ctlcluster "$ver" main start || true
    for _ in $(seq 1 60); do pg_isready -q -h 127.0.0.1 && break; sleep 0.5; done
    pg_isready -q -h 127.0.0.1 || { echo "services: postgresql did not start" >&2; return 1; }
  fi
  su postgres -c "psql -qtA -c \"SELECT 1 FROM pg_roles WHERE rolname='oncebus'\"" | grep -q 1 ||
    su postgres -c "psql -q -v ON_ERROR_STOP=1 -c \"CREATE ROLE oncebus LOGIN SUPERUSER PASSWORD 'oncebus'\""
  su postgres -c "psql -qtA -c \"SELECT 1 FROM pg_database WHERE datname='oncebus'\"" | grep -q 1 ||
    su postgres -c "psql -q -v ON_ERROR_STOP=1 -c \"CREATE DATABASE oncebus OWNER oncebus\""
  echo "services: postgresql ready (postgres://oncebus:oncebus@127.0.0.1:5432/oncebus)"
}

pg_stop() { local ver; ver=$(ls /etc/postgresql | sort -n | tail -1); pg_ctlcluster "$ver" main stop -m fast || true; }

# PgBouncer in transaction pooling mode in front of the local database oncebus: the setup the stores'
# `pooler: 'transaction'` option is for (docs/sql-stores.md, "Through a connection pooler"). Its ini, userlist,
# log and pid file live in a directory of its own. The server-side timeouts the store sets as startup
# parameters on a direct connection are PgBouncer's here (query_timeout, idle_transaction_timeout).
PGBOUNCER_DIR=${PGBOUNCER_DIR:-/var/tmp/oncebus-pgbouncer}
PGBOUNCER_PORT=${PGBOUNCER_PORT:-6432}
pgbouncer_start() {
  if [ -n "${PG_URL:-}" ] || [ -n "${PGBOUNCER_URL:-}" ]; then echo "services: PG_URL/PGBOUNCER_URL set, not starting a local pgbouncer"; return; fi
  command -v pgbouncer >/dev/null || { echo "services: installing pgbouncer"; apt_install pgbouncer; }
  if [ -f "$PGBOUNCER_DIR/pgbouncer.pid" ] && kill -0 "$(cat "$PGBOUNCER_DIR/pgbouncer.pid")" 2>/dev/null; then
    echo "services: pgbouncer already running"; return
  fi
  # Another one on the port (Debian's own service, started by its package): not ours, not this config.
  if pg_isready -q -h 127.0.0.1 -p "$PGBOUNCER_PORT"; then
    echo "services: port $PGBOUNCER_PORT is taken by another server (Debian's pgbouncer service? systemctl stop pgbouncer)" >&2; return 1
  fi
  mkdir -p "$PGBOUNCER_DIR"
  cat >"$PGBOUNCER_DIR/pgbouncer.ini" <<INI
[databases]
oncebus = host=127.0.0.1 port=5432 dbname=oncebus
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
unix_socket_dir = $PGBOUNCER_DIR
auth_type = scram-sha-256
auth_file = $PGBOUNCER_DIR/userlist.txt
pool_mode = transaction
default_pool_size = 30
max_client_conn = 1000
query_timeout = 60
idle_transaction_timeout = 120
logfile = $PGBOUNCER_DIR/pgbouncer.log
pidfile = $PGBOUNCER_DIR/pgbouncer.pid
INI
  echo '"oncebus" "oncebus"' >"$PGBOUNCER_DIR/userlist.txt"
  # PgBouncer refuses to run as root: as postgres (Debian's package user) when we are root.
  if [ "$(id -u)" = 0 ]; then chown -R postgres "$PGBOUNCER_DIR"; chmod 700 "$PGBOUNCER_DIR"; fi
  echo "services: starting pgbouncer"
  if [ "$(id -u)" = 0 ]; then pgbouncer -d -u postgres "$PGBOUNCER_DIR/pgbouncer.ini" >/dev/null
  else pgbouncer -d "$PGBOUNCER_DIR/pgbouncer.ini" >/dev/null; fi
  for _ in $(seq 1 40); do pg_isready -q -h 127.0.0.1 -p "$PGBOUNCER_PORT" -d oncebus && break; sleep 0.25; done
  pg_isready -q -h 127.0.0.1 -p "$PGBOUNCER_PORT" -d oncebus || { echo "services: pgbouncer did not start (see $PGBOUNCER_DIR/pgbouncer.log)" >&2; return 1; }
  echo "services: pgbouncer ready (postgres://oncebus:oncebus@127.0.0.1:$PGBOUNCER_PORT/oncebus, transaction pooling)"
}

pgbouncer_stop() { [ -f "$PGBOUNCER_DIR/pgbouncer.pid" ] && kill "$(cat "$PGBOUNCER_DIR/pgbouncer.pid")" 2>/dev/null || true; }

# The failover suite's pair: CI runs that suite (it SIGKILLs the pair's primary, so it needs root); a
# developer's npm test skips it unless ONCEBUS_PG_PAIR=1 (or scripts/pg-pair.sh start was run).
pair_wanted() { [ "${CI:-}" = true ] || [ "${ONCEBUS_PG_PAIR:-}" = 1 ]; }
pair_start() {
  if [ "$(id -u)" != 0 ]; then echo "services: pg-pair needs root (it runs as the postgres user); not started"; return; fi
  local started; started=$(date +%s%N)
  bash "$(dirname "$0")/pg-pair.sh" start
  echo "services: pg-pair start took $(( ($(date +%s%N) - started) / 1000000 )) ms"
}
pair_stop() { bash "$(dirname "$0")/pg-pair.sh" stop; }

# spin (the model checker the protocol model in test/models runs on) and chromium (the headless browser the
# dashboard's tests in test/browser drive through playwright-core), from Debian.
tools_install() {
  command -v spin >/dev/null || { echo "services: installing spin"; apt_install spin; }
  command -v chromium >/dev/null || { echo "services: installing chromium"; apt_install chromium; }
}

case "$action:$only" in
  start:all) rabbit_start; cluster_start; pg_start; pgbouncer_start; if pair_wanted; then pair_start; fi; tools_install ;;
  start:rabbitmq) rabbit_start ;;
  start:rabbitmq-cluster) cluster_start ;;
  start:postgres) pg_start ;;
  start:pgbouncer) pgbouncer_start ;;
  start:pg-pair) pair_start ;;
  stop:all) pgbouncer_stop; rabbit_stop; cluster_stop; pg_stop; pair_stop ;;
  stop:rabbitmq) rabbit_stop ;;
  stop:rabbitmq-cluster) cluster_stop ;;
  stop:postgres) pg_stop ;;
  stop:pgbouncer) pgbouncer_stop ;;
  stop:pg-pair) pair_stop ;;
  *) echo "usage: services.sh start|stop [all|rabbitmq|rabbitmq-cluster|postgres|pgbouncer|pg-pair]" >&2; exit 2 ;;
esac
