"""pip-audit over the project's environment: fail on any known vulnerability not explained below."""

import json
import os
import subprocess
import sys

# Findings we have looked at and accept, with the reason (vulnerability id -> why it does not apply to us).
EXPLAINED: dict[str, str] = {}


def main() -> int:
    """Run pip-audit, print what it found, and return the exit status for make."""
    run = subprocess.run([sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off",
                          "--skip-editable"], capture_output=True, text=True, timeout=600)
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        # No report at all: most often no vulnerability service could be reached (a findings run still reports).
        print(run.stderr[-2000:])
        print("WARNING: pip-audit produced no report (see above), so nothing was audited.")
        return 1 if os.environ.get("PIP_AUDIT_REQUIRED") == "1" else 0
    deps = report.get("dependencies", [])
    audited = [d for d in deps if not d.get("skip_reason")]
    open_findings = []
    for dep in audited:
        for vuln in dep.get("vulns", []):
            ids = [vuln["id"], *vuln.get("aliases", [])]
            reason = next((EXPLAINED[i] for i in ids if i in EXPLAINED), None)
            fixed = ", ".join(vuln.get("fix_versions", [])) or "?"
            line = f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixed})"
            print(f"{line}: explained: {reason}" if reason else line)
            if reason is None:
                open_findings.append(line)
    print(f"pip-audit: {len(audited)} of {len(deps)} packages audited, {len(open_findings)} unexplained findings.")
    if deps and not audited:
        # The package registry reachable from this machine has no vulnerability data; say so rather than "clean".
        print("WARNING: no vulnerability database was reachable, so nothing was audited "
              f"(first reason: {deps[0].get('skip_reason')}).")
        return 1 if os.environ.get("PIP_AUDIT_REQUIRED") == "1" else 0
    return 1 if open_findings else 0


if __name__ == "__main__":
    sys.exit(main())
