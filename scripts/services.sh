#!/usr/bin/env bash
# Installs (apt, as root, when missing) and starts the real servers the integration tests use:
# RabbitMQ (Debian rabbitmq-server) and PostgreSQL 15, plus the tools some tests drive: spin and Chromium
# (Debian's chromium, for the dashboard's browser tests). Idempotent: a running server is left alone.
# RABBITMQ_URL / PG_URL pointing elsewhere skip the local server.
# `pg-pair` is a second, separate PostgreSQL: a primary + streaming standby on 5441/5442 (scripts/pg-pair.sh)
# for the failover suite; `all` starts it under CI=true (or ONCEBUS_PG_PAIR=1) only, as root. The shared
# server on 5432 is untouched by it. Usage: services.sh start|stop [all|rabbitmq|postgres|pg-pair]
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
  start:all) rabbit_start; pg_start; if pair_wanted; then pair_start; fi; tools_install ;;
  start:rabbitmq) rabbit_start ;;
  start:postgres) pg_start ;;
  start:pg-pair) pair_start ;;
  stop:all) rabbit_stop; pg_stop; pair_stop ;;
  stop:rabbitmq) rabbit_stop ;;
  stop:postgres) pg_stop ;;
  stop:pg-pair) pair_stop ;;
  *) echo "usage: services.sh start|stop [all|rabbitmq|postgres|pg-pair]" >&2; exit 2 ;;
esac
