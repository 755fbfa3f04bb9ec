#!/usr/bin/env bash
# Installs (apt, as root, when missing) and starts the real servers the integration tests use:
# RabbitMQ (Debian rabbitmq-server) and PostgreSQL 15, plus the tools some tests drive: spin and Chromium
# (Debian's chromium, for the dashboard's browser tests). Idempotent: a running server is left alone.
# RABBITMQ_URL / PG_URL pointing elsewhere skip the local server.
# `rabbitmq-cluster` (started by `all` too) is a second, separate RabbitMQ: three clustered nodes on this
# machine (AMQP 5701-5703) for the quorum-queue and failover suites; the single node on 5672 is untouched.
# Usage: services.sh start|stop [all|rabbitmq|rabbitmq-cluster|postgres]
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

# spin (the model checker the protocol model in test/models runs on) and chromium (the headless browser the
# dashboard's tests in test/browser drive through playwright-core), from Debian.
tools_install() {
  command -v spin >/dev/null || { echo "services: installing spin"; apt_install spin; }
  command -v chromium >/dev/null || { echo "services: installing chromium"; apt_install chromium; }
}

case "$action:$only" in
  start:all) rabbit_start; cluster_start; pg_start; tools_install ;;
  start:rabbitmq) rabbit_start ;;
  start:rabbitmq-cluster) cluster_start ;;
  start:postgres) pg_start ;;
  stop:all) rabbit_stop; cluster_stop; pg_stop ;;
  stop:rabbitmq) rabbit_stop ;;
  stop:rabbitmq-cluster) cluster_stop ;;
  stop:postgres) pg_stop ;;
  *) echo "usage: services.sh start|stop [all|rabbitmq|rabbitmq-cluster|postgres]" >&2; exit 2 ;;
esac
