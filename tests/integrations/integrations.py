"""Drives .pre-commit-hooks.yaml and action.yml as pre-commit and GitHub's runner would.

pre-commit: the hooks are copied into a `repo: local` configuration of a starter project
(`concordant init`) with `language: system` and the built binary as the entry's command, so
what is tested is each hook's entry, arguments and file pattern under the real pre-commit
(the `language: rust` build that pre-commit does for a remote repo is `cargo install`,
which the README documents). Then the composite action's shell steps run with bash, its
`${{ … }}` expressions filled in, the install step replaced by the built binary, and the
upload step (GitHub's own action) left out.
"""
import os
import re
import shutil
import subprocess
import sys

import yaml

root, binary, work, pre_commit = sys.argv[1:5]


def run(args, cwd, check=True, env=None):
    out = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env)
    if check and out.returncode != 0:
        sys.exit(f"{args} exited {out.returncode}:\n{out.stdout}\n{out.stderr}")
    return out


def starter(name):
    project = os.path.join(work, name)
    run([binary, "init", project], work)
    run(["git", "init", "-q"], project)
    run(["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", "add", "-A"], project)
    return project


def pre_commit_hooks():
    with open(os.path.join(root, ".pre-commit-hooks.yaml")) as f:
        hooks = yaml.safe_load(f)
    local = []
    for hook in hooks:
        assert hook["language"] == "rust", hook
        assert hook["entry"].startswith("concordant "), hook
        hook = dict(hook, language="system", entry=binary + hook["entry"][len("concordant"):])
        local.append(hook)
    project = starter("hooked")
    config = {"repos": [{"repo": "local", "hooks": local}]}
    with open(os.path.join(project, ".pre-commit-config.yaml"), "w") as f:
        yaml.safe_dump(config, f)
    run(["git", "add", "-A"], project)
    out = run([pre_commit, "run", "--all-files"], project, check=False)
    report = out.stdout
    verdict = {h["name"]: re.search(re.escape(h["name"]) + r"\.+(Passed|Failed)", report) for h in local}
    verdict = {k: (m.group(1) if m else None) for k, m in verdict.items()}
    expected = {"concordant fmt": "Passed", "concordant fmt --check": "Passed",
                "concordant test": "Passed", "concordant check": "Failed"}
    assert verdict == expected, f"{verdict}\n{report}"
    assert "transcript t2" in report, report
    print("ok: pre-commit runs the hooks; the starter's example data fails `concordant check`")
    # A rule file out of layout: fmt --check fails, fmt rewrites it.
    checks = os.path.join(project, "rules", "checks.cord")
    with open(checks) as f:
        text = f.read()
    with open(checks, "w") as f:
        f.write(text.replace("  for t in transcript\n", "      for   t in transcript\n", 1))
    out = run([pre_commit, "run", "concordant-fmt-check", "--all-files"], project, check=False)
    assert out.returncode == 1 and "Failed" in out.stdout, out.stdout
    out = run([pre_commit, "run", "concordant-fmt", "--all-files"], project, check=False)
    with open(checks) as f:
        assert f.read() == text, "concordant fmt puts the layout back"
    print("ok: a rule file out of layout fails fmt --check, and fmt rewrites it")


def action():
    with open(os.path.join(root, "action.yml")) as f:
        spec = yaml.safe_load(f)
    assert spec["runs"]["using"] == "composite"
    project = starter("actioned")
    temp = os.path.join(work, "runner-temp")
    os.makedirs(os.path.join(temp, "concordant", "bin"))
    shutil.copy(binary, os.path.join(temp, "concordant", "bin", "concordant"))
    inputs = {k: v.get("default", "") for k, v in spec["inputs"].items()}
    outputs = {}
    failed_at = None
    for step in spec["runs"]["steps"]:
        if "uses" in step:
            continue  # GitHub's upload-sarif action
        if step["name"] == "Install concordant":
            assert "cargo install --locked --path" in step["run"]
            continue

        def fill(text):
            text = text.replace("${{ github.action_path }}", root).replace("${{ runner.temp }}", temp)
            text = re.sub(r"\$\{\{ inputs\.([\w-]+) \}\}", lambda m: inputs[m.group(1)], text)
            return re.sub(r"\$\{\{ steps\.check\.outputs\.([\w-]+) \}\}", lambda m: outputs.get(m.group(1), ""), text)

        condition = step.get("if", "")
        if condition and "status == '1'" in condition and outputs.get("status") != "1":
            continue
        env = dict(os.environ, GITHUB_OUTPUT=os.path.join(work, "github-output"))
        env.update({k: fill(v) for k, v in step.get("env", {}).items()})
        out = subprocess.run(["bash", "-e", "-c", fill(step["run"])], cwd=project, env=env,
                             capture_output=True, text=True)
        with open(env["GITHUB_OUTPUT"]) as f:
            outputs.update(line.strip().split("=", 1) for line in f if "=" in line)
        if out.returncode != 0:
            failed_at = (step["name"], out.returncode, out.stdout + out.stderr)
            break
    assert outputs.get("status") == "1", outputs
    sarif = os.path.join(project, outputs["sarif-file"])
    with open(sarif) as f:
        log = yaml.safe_load(f)  # JSON is YAML
    assert len(log["runs"][0]["results"]) == 2, log["runs"][0]["results"]
    assert failed_at and failed_at[0] == "Fail on findings" and failed_at[1] == 1, failed_at
    print("ok: the action checks the project's data (concordant.toml), writes the SARIF log and fails on its findings")


pre_commit_hooks()
action()
