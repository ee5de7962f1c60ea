"""Nothing leaves the machine: the whole product runs with network access denied at the socket level.

Every child process gets a ``sitecustomize`` that replaces socket connects and name lookups:
a loopback or Unix-socket connect goes through, anything else is logged and refused. The
product must still do a full replayed ``practice`` round, ``score`` (text and audio),
``review``, ``export`` and ``report --html``, and the log must stay empty. (CI also runs the
whole suite in a network namespace with no interfaces but loopback: see test.sh.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import espeak_wav, run_cli

GUARD = r"""
import os, socket

_LOG = os.environ["VI_NET_LOG"]
open(os.environ["VI_NET_MARK"], "w").close()  # proves the guard was loaded in this process


def _deny(what):
    with open(_LOG, "a") as fh:
        fh.write(f"{os.getpid()} {what}\n")
    raise OSError(f"network access denied by the test guard: {what}")


def _local(address):
    if isinstance(address, (str, bytes)):
        return True  # AF_UNIX path
    host = str(address[0])
    return host in ("localhost", "::1") or host.startswith("127.")


_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex


def connect(self, address):
    if self.family != socket.AF_UNIX and not _local(address):
        _deny(f"connect {address!r}")
    return _connect(self, address)


def connect_ex(self, address):
    if self.family != socket.AF_UNIX and not _local(address):
        _deny(f"connect_ex {address!r}")
    return _connect_ex(self, address)


def sendto(self, *args):
    address = args[-1]
    if self.family != socket.AF_UNIX and not _local(address):
        _deny(f"sendto {address!r}")
    return _sendto(self, *args)


_sendto = socket.socket.sendto
_getaddrinfo = socket.getaddrinfo


def getaddrinfo(host, *args, **kwargs):
    if host not in (None, "localhost") and not str(host).startswith("127.") and str(host) != "::1":
        _deny(f"getaddrinfo {host!r}")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto = connect, connect_ex, sendto
socket.getaddrinfo = getaddrinfo
"""


@pytest.fixture()
def guarded(tmp_path: Path) -> dict[str, str]:
    site = tmp_path / "netguard"
    site.mkdir()
    (site / "sitecustomize.py").write_text(GUARD)
    return {
        "PYTHONPATH": str(site),
        "VI_NET_LOG": str(tmp_path / "net.log"),
        "VI_NET_MARK": str(tmp_path / "net.mark"),
    }


def test_the_guard_itself_refuses_and_logs(guarded: dict[str, str], tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import socket\ntry:\n    socket.create_connection(('192.0.2.1', 443), timeout=1)\n"
        "except OSError as e:\n    print(e)"
    )
    proc = subprocess.run([sys.executable, "-c", code], env={**guarded}, capture_output=True, text=True, timeout=60)
    assert "denied by the test guard" in proc.stdout
    assert "192.0.2.1" in (tmp_path / "net.log").read_text()


@pytest.mark.models
@pytest.mark.audio
def test_everything_works_with_the_network_denied(home: Path, tmp_path: Path, guarded: dict[str, str]) -> None:
    answers = tmp_path / "answers"
    answers.mkdir()
    espeak_wav(
        "Our mobile app crashed on older phones. I was asked to fix it before the launch. I reproduced it on a "
        "borrowed phone and rewrote the image cache myself. Crashes fell by ninety percent.",
        answers / "a0.wav",
    )
    espeak_wav("I measured the crash rate every day for a month afterwards, and it stayed low.", answers / "a1.wav")
    (tmp_path / "voice-interviewer.toml").write_text("[audio]\nreplay_pace = 0\n")

    def cli(*args: str) -> str:
        proc = run_cli(*args, env=guarded)
        assert proc.returncode == 0, f"{args}: {proc.stderr}"
        return proc.stdout

    cli("practice", "--answers", f"wav:{answers}", "--no-voice", "--questions", "1", "--candidate", "ana")
    (folder,) = [p.parent for p in (home / "transcripts" / "ana").glob("*/session.json")]
    ref = f"ana/{folder.name}"
    assert len(json.loads((folder / "session.json").read_text())["turns"]) == 2  # the answer and a follow-up
    score = json.loads(cli("score", "--audio", str(answers / "a0.wav"), "--question", "A bug?", "--format", "json"))
    assert score["delivery"]["wpm"] > 0
    cli("score", "--text", "I fixed the build. It was faster.", "--question", "Tell me.")
    cli("review", "list")
    cli("review", "show", ref)
    cli("review", "progress", "ana")
    cli("export", ref, "--format", "csv")
    cli("report", ref, "--html")
    cli("report", "--progress", "ana")
    cli("models", "check")

    assert Path(guarded["VI_NET_MARK"]).exists(), "the socket guard was not loaded"
    log = Path(guarded["VI_NET_LOG"])
    assert not log.exists(), f"network access was attempted:\n{log.read_text()}"
