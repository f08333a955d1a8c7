"""pip-audit over the project's environment: fail on any known vulnerability not explained below."""

import json
import os
import subprocess
import sys
from pathlib import Path

# Findings we have looked at and accept, with the reason (vulnerability id -> why it does not apply to us).
EXPLAINED: dict[str, str] = {}
# pip-audit's command line with the fallback for registries without per-release data.
AUDIT = [sys.executable, str(Path(__file__).with_name("audit_service.py")), "--format", "json",
         "--progress-spinner", "off", "--skip-editable"]


def judge(report: dict, required: bool = False) -> tuple[list[str], int]:
    """The lines to print about pip-audit's JSON report and the exit status: 1 on an unexplained finding, or,
    when `required`, when nothing could be audited."""
    deps = report.get("dependencies", [])
    audited = [d for d in deps if not d.get("skip_reason")]
    lines, open_findings = [], []
    for dep in audited:
        for vuln in dep.get("vulns", []):
            ids = [vuln["id"], *vuln.get("aliases", [])]
            reason = next((EXPLAINED[i] for i in ids if i in EXPLAINED), None)
            fixed = ", ".join(vuln.get("fix_versions", [])) or "?"
            line = f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixed})"
            lines.append(f"{line}: explained: {reason}" if reason else line)
            if reason is None:
                open_findings.append(line)
    lines += [f"skipped {d['name']}: {d['skip_reason']}" for d in deps if d.get("skip_reason")]
    lines.append(f"pip-audit: {len(audited)} of {len(deps)} packages audited, {len(open_findings)} unexplained "
                 "findings.")
    if deps and not audited:
        # No vulnerability data reached us at all; say so rather than "clean".
        lines.append("WARNING: no vulnerability database was reachable, so nothing was audited.")
        return lines, 1 if required or open_findings else 0
    return lines, 1 if open_findings else 0


def main() -> int:
    """Run pip-audit, print what it found, and return the exit status for make."""
    required = os.environ.get("PIP_AUDIT_REQUIRED") == "1"
    run = subprocess.run(AUDIT, capture_output=True, text=True, timeout=600)
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        # No report at all: most often the registry could not be reached (a findings run still reports).
        print(run.stderr[-2000:])
        print("WARNING: pip-audit produced no report (see above), so nothing was audited.")
        return 1 if required else 0
    lines, status = judge(report, required)
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())
