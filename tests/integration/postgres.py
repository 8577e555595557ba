"""A throwaway PostgreSQL 15 cluster for a test: initdb and pg_ctl in a temporary directory (as
the postgres user when the tests run as root, since initdb refuses root), listening on
127.0.0.1 at a free port. Password authentication (scram-sha-256) is required for the role
PASSWORD_ROLE only, so a test can try a wrong password; every other role is trusted from
loopback. stop() and start() give a test an outage; teardown stops the server by its PID.
Standard library only: bench/sync_bench.py uses it too."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from ports import free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PASSWORD_ROLE = "agent_pw"

HBA = """\
local all all trust
host all {role} 127.0.0.1/32 scram-sha-256
host all all 127.0.0.1/32 trust
"""


def available():
    return (PG_BIN / "initdb").exists()


class Postgres:
    def __init__(self, logdir):
        self.logdir = Path(logdir)
        self.dir = Path(tempfile.mkdtemp(prefix="sp-pg-"))
        self.data = self.dir / "data"
        self.port = free_port(socket.SOCK_STREAM)
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        os.chmod(self.dir, 0o700)
        self._run([PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync",
                   "-E", "UTF8", "--locale=C.UTF-8"])
        hba = self.data / "pg_hba.conf"
        hba.write_text(HBA.format(role=PASSWORD_ROLE))
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{self.dir}'\nfsync = off\n"
                       "password_encryption = 'scram-sha-256'\n")
        self.start()

    def _run(self, argv, check=True):
        argv = [str(a) for a in argv]
        if self.as_root:
            argv = ["runuser", "-u", "postgres", "--"] + argv
        # runuser keeps the working directory: postgres must be able to enter it.
        return subprocess.run(argv, cwd="/tmp", capture_output=True, text=True, check=check)

    @property
    def pid(self):
        pidfile = self.data / "postmaster.pid"
        try:
            return int(pidfile.read_text().split("\n")[0])
        except (OSError, ValueError):
            return None

    def start(self):
        result = self._run([PG_BIN / "pg_ctl", "-D", self.data, "-l", self.dir / "postgres.log", "-w",
                            "-t", "60", "start"], check=False)
        assert result.returncode == 0, f"pg_ctl start: {result.stdout}{result.stderr}"
        deadline = time.monotonic() + 60
        while self.psql("SELECT 1", check=False).returncode != 0:
            assert time.monotonic() < deadline, "PostgreSQL does not accept connections"
            time.sleep(0.05)

    def stop(self, mode="fast"):
        self._run([PG_BIN / "pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop"], check=False)

    def uri(self, database="postgres", user="postgres"):
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def psql(self, sql, database="postgres", check=True):
        result = subprocess.run(["psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                                 "-p", str(self.port), "-U", "postgres", "-d", database, "-c", sql],
                                capture_output=True, text=True)
        if check:
            assert result.returncode == 0, f"psql {sql!r}: {result.stderr}"
        return result

    def value(self, sql, database="postgres"):
        return self.psql(sql, database).stdout.strip()

    def create_database(self, name):
        self.psql(f'CREATE DATABASE "{name}"')
        return name

    def cleanup(self):
        self.stop("immediate")
        pid = self.pid
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        while pid and time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        if (self.dir / "postgres.log").exists():
            shutil.copy(self.dir / "postgres.log", self.logdir / "postgres.log")
        shutil.rmtree(self.dir, ignore_errors=True)
