#!/usr/bin/env python3
"""Generates a monorepo of N files (default 100,000) for the `warden scan` benchmark: packages of source files,
a gitignored node_modules and build output (which both tools skip), AGENTS.md files, skills, .codex config,
workflows (some running Codex) and CODEOWNERS. Deterministic: the same N gives the same tree."""
import os, random, sys

def main(root, total):
    random.seed(42)
    os.makedirs(root, exist_ok=True)
    def w(rel, text):
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    count = 0
    w(".gitignore", "node_modules/\ndist/\n*.log\n")
    w("AGENTS.md", "# Monorepo\n\n- `pnpm -r test` runs every package's tests.\n- Keep secrets out of the repo; never print tokens.\n")
    w("CODEOWNERS", "* @acme/platform\n/.github/ @acme/security\nAGENTS.md @acme/ai-governance\n")
    w(".codex/config.toml", 'model = "gpt-5.5"\n\n[sandbox_workspace_write]\nnetwork_access = false\n')
    for i in range(30):
        runs_codex = i % 5 == 0
        w(f".github/workflows/ci-{i}.yml", "name: ci\non: [pull_request]\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
          "      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8\n        with:\n          persist-credentials: false\n"
          + ("      - uses: openai/codex-action@e0fdf0120b4ee6d6b7ba5ea5bb60d0d6cfd0c5b8\n        with:\n          prompt-file: .github/codex/review.md\n          sandbox: read-only\n" if runs_codex else "      - run: make test\n"))
    count += 34
    packages = max(1, total // 500)
    per_package = (total - count) // packages
    for p in range(packages):
        base = f"packages/pkg-{p:04d}"
        if p % 10 == 0:
            w(f"{base}/AGENTS.md", f"# pkg-{p}\n\n- Run `pnpm test` in this folder.\n- Public API lives in `src/index.ts`.\n")
            count += 1
        if p % 25 == 0:
            w(f"{base}/.agents/skills/release-{p}/SKILL.md", f"---\nname: release-{p}\ndescription: Prepares a release of pkg-{p}.\n---\n\nBump the version and update CHANGELOG.md.\n")
            count += 1
        ignored = per_package // 5
        for f in range(per_package - ignored):
            sub = f"src/mod{f % 20}"
            ext = random.choice(["ts", "ts", "tsx", "json", "md", "py"])
            w(f"{base}/{sub}/file{f}.{ext}", f"// pkg {p} file {f}\nexport const value{f} = {f};\n")
        for f in range(ignored):
            w(f"{base}/node_modules/dep{f % 7}/lib/file{f}.js", f"module.exports = {f};\n")
        count += per_package
    print(f"{root}: {count} files")

if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 100_000)
