"""How long the ``tansiq`` command takes, as whole processes, against ``python -c pass``.

Three commands, each run ``--runs`` times (default 7) in fresh processes, interleaved so that a
change in the machine's load hits all three alike, after one untimed warm-up run of each:

* ``python -c pass``: the interpreter's own start, the floor under any command;
* ``tansiq --help``;
* ``tansiq permit verify --image permit.png ...``: a checkpoint's offline check of a realistic
  3-signer permit (Arabic plate and driver name, 3-point route, 2 checkpoints, 2 conditions)
  from a PNG of its QR code, with a signed trust list and signed revocation updates, all made
  in a temporary directory with Tansiq's own code.

Prints the machine (cores, load average, Python and library versions), a table (median, min
and max wall seconds, median CPU seconds), then ``result: cli_help_s = …`` and ``result:
cli_verify_s = …`` (median whole-process wall seconds; targets 0.5 and 1.0) and ``result:
python_startup_s = …``. With ``--record`` it also writes them, with the load at the time, to the
"Command line" section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import report
import verify
from tansiq.permits.keys import raw_public_key
from tansiq.permits.qr import make_qr
from tansiq.permits.trust import (
    RevocationDelta,
    revocations_file,
    sign_revocation_delta,
    sign_trust_list,
)

NOW = verify.NOW
TARGETS = {"cli_help_s": 0.5, "cli_verify_s": 1.0}


def write_permit_files(folder: Path) -> list[str]:
    """Permit image, trust list and revocations in ``folder``; the verify arguments for them.
    The same 3-signer permit and trust list as bench/verify.py."""
    authorities = [verify.signer(name) for name in verify.AUTHORITIES]
    governance = verify.signer("governance")
    trust = verify.trust_list(authorities)
    delta = RevocationDelta(seq=1, issued_at=NOW - timedelta(hours=1))
    image, trust_file, revocations = folder / "permit.png", folder / "trust", folder / "revoked"
    image.write_bytes(make_qr(verify.permit(authorities)).png)
    trust_file.write_bytes(sign_trust_list(trust, governance))
    revocations.write_bytes(revocations_file([sign_revocation_delta(delta, governance)]))
    return [
        "permit",
        "verify",
        "--image",
        str(image),
        "--trust",
        str(trust_file),
        "--revocations",
        str(revocations),
        "--governance-key",
        raw_public_key(governance.private_key.public_key()).hex(),
        "--checkpoint",
        "CP-BRIDGE",
        "--at",
        NOW.isoformat(),
    ]


def tansiq_command() -> list[str]:
    """The installed ``tansiq`` script beside this interpreter, as a user runs it."""
    script = Path(sys.executable).with_name("tansiq")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tansiq.cli"]


@dataclass
class Timing:
    wall: list[float]
    cpu: list[float]


def run_once(command: list[str], timing: Timing | None, expect: str) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # The commands are this interpreter and the tansiq script beside it, with fixed arguments.
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0 or expect not in result.stdout:
        raise SystemExit(f"{command[:3]} failed ({result.returncode}): {result.stderr[-500:]}")
    if timing is not None:
        timing.wall.append(wall)
        timing.cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each command")
    parser.add_argument("--record", action="store_true", help="write docs/performance.md")
    args = parser.parse_args()

    measured_on = report.start()
    tansiq = tansiq_command()
    with tempfile.TemporaryDirectory() as folder:
        cases = [
            ("python -c pass", [sys.executable, "-c", "pass"], ""),
            ("tansiq --help", [*tansiq, "--help"], "Commands:"),
            (
                "tansiq permit verify --image",
                [*tansiq, *write_permit_files(Path(folder))],
                "*** VALID ***",
            ),
        ]
        timings = {name: Timing([], []) for name, _, _ in cases}
        for _, command, expect in cases:  # warm the file cache; not timed
            run_once(command, None, expect)
        load_before = os.getloadavg()[0]
        for _ in range(args.runs):
            for name, command, expect in cases:
                run_once(command, timings[name], expect)
        load_after = os.getloadavg()[0]

    rows = [f"{'command':<30}{'median s':>10}{'min s':>8}{'max s':>8}{'cpu s':>8}"]
    for name, timing in timings.items():
        rows.append(
            f"{name:<30}{statistics.median(timing.wall):>10.3f}{min(timing.wall):>8.3f}"
            f"{max(timing.wall):>8.3f}{statistics.median(timing.cpu):>8.3f}"
        )
    table = "\n".join(rows)
    print(table)
    print(
        f"runs: {args.runs} of each; 1-minute load {load_before:.2f} before, {load_after:.2f} after"
    )
    results = {
        "python_startup_s": statistics.median(timings["python -c pass"].wall),
        "cli_help_s": statistics.median(timings["tansiq --help"].wall),
        "cli_verify_s": statistics.median(timings["tansiq permit verify --image"].wall),
    }
    lines = [f"result: {key} = {value:.3f}" for key, value in results.items()]
    print("\n".join(lines))
    measured_on.finish()
    if args.record:
        measured_on.notes.append(
            f"median of {args.runs} whole-process runs each, interleaved; `cpu s` is user + "
            f"system time; targets: `cli_help_s` ≤ {TARGETS['cli_help_s']} s, "
            f"`cli_verify_s` ≤ {TARGETS['cli_verify_s']} s (verify from a QR image)"
        )
        report.write_section("cli", "Command line", measured_on, [*rows, *lines])


if __name__ == "__main__":
    main()
