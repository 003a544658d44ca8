"""Where one production run keeps its state: pid files, logs, the database, the object store."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from py_vapid import Vapid02


@dataclass(frozen=True)
class Layout:
    """The run directory (default var/prod/) and everything under it."""

    root: Path

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def pids(self) -> Path:
        return self.root / "pids"

    @property
    def pgdata(self) -> Path:
        return self.root / "postgres"

    @property
    def seaweedfs(self) -> Path:
        return self.root / "seaweedfs"

    @property
    def nginx(self) -> Path:
        return self.root / "nginx"

    @property
    def data_dir(self) -> Path:
        """GRIDREPORT_DATA_DIR of every process: the demo password lives here."""
        return self.root / "data"

    @property
    def state_file(self) -> Path:
        return self.root / "state.json"

    @property
    def env_file(self) -> Path:
        """DATABASE_URL and the S3 settings, for `gridreport` commands against this run."""
        return self.root / "gridreport.env"

    def log(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def pid_file(self, name: str) -> Path:
        return self.pids / f"{name}.pid"

    def create(self) -> None:
        for directory in (self.root, self.logs, self.pids, self.data_dir, self.nginx):
            directory.mkdir(parents=True, exist_ok=True)
        # The run directory holds passwords and keys: nobody else may list it.
        self.root.chmod(0o711)

    def read_state(self) -> dict[str, Any]:
        if not self.state_file.exists():
            return {}
        loaded: dict[str, Any] = json.loads(self.state_file.read_text())
        return loaded

    def write_state(self, **values: Any) -> None:
        write_private(self.state_file, json.dumps(self.read_state() | values, indent=2))


@dataclass(frozen=True)
class Secrets:
    """Made on the first run and kept, so that data written by one run is readable by the next."""

    database_password: str
    s3_access_key_id: str
    s3_secret_access_key: str
    vapid_private_pem: str

    @classmethod
    def load_or_create(cls, layout: Layout) -> Secrets:
        path = layout.root / "secrets.json"
        if path.exists():
            return cls(**json.loads(path.read_text()))
        vapid = Vapid02()
        vapid.generate_keys()
        made = cls(
            database_password=secrets.token_urlsafe(24),
            s3_access_key_id=secrets.token_hex(10).upper(),
            s3_secret_access_key=secrets.token_urlsafe(30),
            vapid_private_pem=vapid.private_pem().decode(),
        )
        write_private(path, json.dumps(asdict(made), indent=2))
        return made


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (it may hold a password)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
