#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for the Slurm executor's test (and for trying the executor by hand):
#   scripts/slurm/local-cluster.sh start DIR   installs slurm-wlm and munge if missing (root), writes DIR/slurm.conf,
#                                              starts munged, slurmctld and slurmd, waits until a job runs;
#                                              prints the line to source: export SLURM_CONF=DIR/slurm.conf
#   scripts/slurm/local-cluster.sh stop DIR    stops the daemons it started, by their PIDs.
# Needs root (the daemons run as root, munged as the munge user). No accounting database: job completions go to
# DIR/jobcomp.log. Exits 77 (skip) with a message when Slurm cannot be installed or started here.
set -euo pipefail

cmd="${1:?usage: local-cluster.sh start|stop DIR}"
dir="$(mkdir -p "${2:?usage: local-cluster.sh start|stop DIR}" && cd "$2" && pwd)"

skip() { echo "local-cluster: $*" >&2; exit 77; }

stop() {
  # Cancel this cluster's jobs first and wait for their processes to end, so that none outlives the cluster.
  if [ -f "$dir/slurm.conf" ] && [ -f "$dir/slurmctld.pid" ] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null; then
    export SLURM_CONF="$dir/slurm.conf"
    local jobs
    jobs="$(squeue -h -o %i 2>/dev/null || true)"
    if [ -n "$jobs" ]; then
      scancel $jobs 2>/dev/null || true
      for _ in $(seq 60); do [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break; sleep 0.5; done
    fi
  fi
  for name in slurmd slurmctld munged; do
    local pidfile="$dir/$name.pid"
    [ -f "$pidfile" ] || continue
    local pid
    pid="$(cat "$pidfile")"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
}

install() {
  command -v slurmctld >/dev/null 2>&1 && command -v munged >/dev/null 2>&1 && return 0
  [ "$(id -u)" -eq 0 ] || skip "Slurm is not installed and this is not root: apt-get install -y slurm-wlm munge"
  echo "== installing slurm-wlm and munge" >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null; } \
    || skip "apt-get could not install slurm-wlm and munge"
}

start() {
  [ "$(id -u)" -eq 0 ] || skip "the local cluster's daemons need root"
  install
  stop
  mkdir -p "$dir/state" "$dir/spool" "$dir/logs"
  local cpus memory
  cpus="$(nproc)"
  memory="$(awk '/MemTotal/ { print int($2 / 1024) - 1024 }' /proc/meminfo)"
  cat > "$dir/slurm.conf" <<EOF
ClusterName=apg-test
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=46817
SlurmdPort=46818
AuthType=auth/munge
CredType=cred/munge
AuthInfo=cred_expire=10
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.log
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
SchedulerParameters=sched_interval=2,bf_interval=2
MinJobAge=3600
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/logs/slurmctld.log
SlurmdLogFile=$dir/logs/slurmd.log
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=30
Waittime=0
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
  # munged: its key (made by the package) and its socket folder; run as the munge user.
  [ -f /etc/munge/munge.key ] || { dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null; chown munge: /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge: /run/munge /var/log/munge /var/lib/munge
  if ! { munge -n | unmunge; } >/dev/null 2>&1; then
    runuser -u munge -- /usr/sbin/munged || skip "munged did not start"
    # munged (as the munge user) cannot write into this root-owned folder: record its PID here.
    pgrep -n -u munge -x munged > "$dir/munged.pid"
  fi
  export SLURM_CONF="$dir/slurm.conf"
  slurmctld -f "$SLURM_CONF" || skip "slurmctld did not start (see $dir/logs/slurmctld.log)"
  slurmd -f "$SLURM_CONF" -N localhost || skip "slurmd did not start (see $dir/logs/slurmd.log)"
  # sinfo says idle before slurmd has registered: wait on a probe job instead.
  local ok=""
  for _ in $(seq 30); do
    if timeout 10 srun -N1 -t 1 true >/dev/null 2>&1; then ok=1; break; fi
    sleep 1
  done
  [ -n "$ok" ] || { stop; skip "no job ran on the local cluster within a minute (see $dir/logs/)"; }
  echo "export SLURM_CONF=$SLURM_CONF"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: local-cluster.sh start|stop DIR" >&2; exit 2 ;;
esac
