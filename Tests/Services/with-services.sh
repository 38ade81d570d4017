#!/usr/bin/env bash
# Runs a command with the real services the tests drive: a one-node Slurm cluster (slurmctld +
# slurmd + munge on localhost) and a throw-away PostgreSQL server on loopback. Installs what is
# missing from Debian's packages, starts both, exports their addresses to the command
#   SLURM_CONF        the generated slurm.conf (every Slurm client reads it)
#   VOICEQA_TEST_PG   postgresql://postgres@127.0.0.1:PORT/voiceqa
# and stops everything when the command ends, whatever its outcome. Everything lives in one
# temporary folder; nothing is written under /etc. Needs root (CI and the project's machines run
# as root; munge, slurmd and the postgres user need it).
#
#   Tests/Services/with-services.sh swift test --skip-build
#
# VOICEQA_NO_SERVICES=1 runs the command without starting anything (the tests that need a
# service then fail unless they see the same variable).
set -euo pipefail

if [ "${VOICEQA_NO_SERVICES:-}" = 1 ]; then exec "$@"; fi
[ "$(id -u)" -eq 0 ] || { echo "with-services.sh: needs root to start munge, Slurm and PostgreSQL (or set VOICEQA_NO_SERVICES=1)" >&2; exit 1; }

log() { echo "services: $*" >&2; }

# 1. Install what is missing (Debian 12: Slurm 22.05, PostgreSQL 15; postinst starts no service here).
missing=""
for p in slurmctld slurmd slurm-client munge postgresql; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  log "installing$missing"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

WORK=$(mktemp -d -t voiceqa-services.XXXXXX)
chmod 755 "$WORK"
mkdir -p "$WORK"/{state,spool,log}
export SLURM_CONF=$WORK/slurm.conf
MUNGE_SOCK=$WORK/munge.sock
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PG_DATA=$WORK/pg
PIDS=()

cleanup() {
  set +e
  if [ -n "${CTLD_PID:-}" ] && kill -0 "$CTLD_PID" 2>/dev/null; then
    timeout 20 scontrol shutdown >/dev/null 2>&1
  fi
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$p" 2>/dev/null && { kill "$p"; sleep 1; kill -9 "$p" 2>/dev/null; }
  done
  [ -n "${MUNGED_PID:-}" ] && kill "$MUNGED_PID" 2>/dev/null
  [ -f "$PG_DATA/postmaster.pid" ] && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1
  wait 2>/dev/null
  rm -rf "$WORK"
  log "stopped"
}
trap cleanup EXIT

# A free TCP port on loopback, from a starting guess.
free_port() {
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}

# 2. PostgreSQL: a throw-away cluster, trust auth on loopback only, no fsync (test data).
PG_PORT=$(free_port 54329)
mkdir -p "$PG_DATA" "$WORK/pgrun"; chown postgres:postgres "$PG_DATA" "$WORK/pgrun"; chmod 700 "$PG_DATA"
runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$WORK/log/initdb.log" 2>&1 \
  || { cat "$WORK/log/initdb.log" >&2; exit 1; }
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$WORK/pgrun/postgres.log" -w -t 30 \
  -o "-p $PG_PORT -k $WORK/pgrun -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50" start >/dev/null \
  || { cat "$WORK/pgrun/postgres.log" >&2; exit 1; }
runuser -u postgres -- "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" voiceqa
export VOICEQA_TEST_PG="postgresql://postgres@127.0.0.1:$PG_PORT/voiceqa"
log "PostgreSQL $("$PG_BIN/postgres" -V | awk '{print $3}') at $VOICEQA_TEST_PG"

# 3. munge with a private key and socket.
mungekey --create --keyfile="$WORK/munge.key" --force
chmod 600 "$WORK/munge.key"
munged --foreground --force --key-file="$WORK/munge.key" --socket="$MUNGE_SOCK" \
       --pid-file="$WORK/munged.pid" --log-file="$WORK/log/munged.log" \
       --seed-file="$WORK/munge.seed" >"$WORK/log/munged.out" 2>&1 &
MUNGED_PID=$!
for _ in $(seq 50); do [ -S "$MUNGE_SOCK" ] && break; sleep 0.1; done

# 4. Slurm: one node named localhost, 2 CPUs, no cgroups or accounting.
CTLD_PORT=$(free_port 6817); SLURMD_PORT=$(free_port $((CTLD_PORT + 1)))
cat >"$SLURM_CONF" <<CONF
ClusterName=voiceqa-ci
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$MUNGE_SOCK
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
InactiveLimit=0
MinJobAge=300
KillWait=5
Waittime=0
NodeName=localhost CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -D -i >"$WORK/log/slurmctld.out" 2>&1 &
CTLD_PID=$!; PIDS=("$CTLD_PID")
for _ in $(seq 100); do scontrol ping 2>/dev/null | grep -q UP && break; sleep 0.2; done
scontrol ping 2>/dev/null | grep -q UP || { cat "$WORK/log/slurmctld.log" >&2; exit 1; }
slurmd -D -N localhost >"$WORK/log/slurmd.out" 2>&1 &
PIDS=("$!" "$CTLD_PID")
st=""
for _ in $(seq 150); do
  st=$(sinfo -h -n localhost -o %T 2>/dev/null || true)
  [ "$st" = idle ] && break; sleep 0.2
done
[ "$st" = idle ] || { sinfo >&2; tail -20 "$WORK/log/slurmd.log" "$WORK/log/slurmctld.log" >&2; exit 1; }
log "Slurm $(sinfo -V | awk '{print $2}') one node idle, SLURM_CONF=$SLURM_CONF"

# 5. The command, with both addresses in its environment.
set +e
"$@"
rc=$?
set -e
exit $rc
