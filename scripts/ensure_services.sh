#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer on 127.0.0.1 (and Chromium is present
# for the browser tests): starts them when installed but stopped, installs them
# with apt-get when missing. Safe to run again and again.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then $SUDO apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

# --- PostgreSQL ---------------------------------------------------------------
if ! command -v pg_ctlcluster >/dev/null 2>&1 && ! command -v pg_isready >/dev/null 2>&1; then
  echo "PostgreSQL is missing: installing it with apt-get..."
  apt_install postgresql postgresql-contrib
fi
if ! pg_up; then
  echo "Starting PostgreSQL..."
  version=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)
  if [ -n "$version" ]; then
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
pg_up || { echo "PostgreSQL did not come up on 127.0.0.1:5432" >&2; exit 1; }
# Tests connect as "postgres" over TCP; make sure that works without a password.
if ! psql -h 127.0.0.1 -U postgres -c "select 1" >/dev/null 2>&1; then
  echo "Allowing local trust authentication for the test database..."
  hba=$($SUDO -u postgres psql -tAc "show hba_file" 2>/dev/null || true)
  if [ -n "$hba" ]; then
    echo "host all all 127.0.0.1/32 trust" | $SUDO tee -a "$hba" >/dev/null
    $SUDO -u postgres psql -c "select pg_reload_conf()" >/dev/null
  fi
fi

# --- Redis --------------------------------------------------------------------
if ! command -v redis-server >/dev/null 2>&1; then
  echo "Redis is missing: installing it with apt-get..."
  apt_install redis-server
fi
if ! redis_up; then
  echo "Starting Redis..."
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  $SUDO redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis_up && break; sleep 1; done
fi
redis_up || { echo "Redis did not come up on 127.0.0.1:6379" >&2; exit 1; }

# --- Chromium (browser tests) -------------------------------------------------
if [ ! -x /usr/bin/chromium ]; then
  echo "Chromium is missing: installing it with apt-get..."
  apt_install chromium
fi
echo "PostgreSQL, Redis and Chromium are ready."
