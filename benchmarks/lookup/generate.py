#!/usr/bin/env python3
"""Writes a synthetic directory (CSV) and a matching warden.toml for the `warden lookup --all` benchmark.

usage: generate.py OUT_DIR USERS [SEED]

200 groups (grp-000 .. grp-199), 100 ordered rules of two groups each over grp-000 .. grp-149 (grp-150 .. grp-199 are
in no rule, so some users fall back), four policies, and USERS users in 1 to 5 groups (3 on average). The same seed
gives the same files.
"""
import os
import random
import sys

GROUPS, RULES = 200, 100
POLICIES = ["lockdown", "controlled", "open", "baseline"]


def warden_toml() -> str:
    out = ['codex_version = "0.171.0"', "", "[org]", 'name = "Benchmark Corp"', 'default_policy = "baseline"', ""]
    for i in range(RULES):
        groups = f'"grp-{i:03d}", "grp-{100 + i % 50:03d}"'
        out += ["[[rules]]", f"groups = [{groups}]", f'policy = "{POLICIES[i % 3]}"', ""]
    for name in POLICIES:
        posture = "open" if name == "open" else "lockdown" if name == "lockdown" else "controlled"
        out += [f"[policies.{name}]", f'posture = "{posture}"',
                'allowed_sandbox_modes = ["read-only", "workspace-write"]',
                'allowed_approval_policies = ["on-request"]', 'allowed_web_search_modes = ["cached"]',
                'deny_read = ["~/.ssh"]', "features = { browser_use = false }", ""]
    return "\n".join(out)


def main() -> None:
    out_dir, users = sys.argv[1], int(sys.argv[2])
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 20261127)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "warden.toml"), "w", encoding="utf-8") as f:
        f.write(warden_toml())
    names = [f"grp-{g:03d}" for g in range(GROUPS)]
    with open(os.path.join(out_dir, "directory.csv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("user,email,display_name,groups\n")
        rows = []
        for u in range(users):
            groups = ";".join(rng.sample(names, rng.randint(1, 5)))
            rows.append(f"user{u:07d},user{u:07d}@example.com,User {u},{groups}\n")
            if len(rows) == 10000:
                f.writelines(rows)
                rows.clear()
        f.writelines(rows)


if __name__ == "__main__":
    main()
